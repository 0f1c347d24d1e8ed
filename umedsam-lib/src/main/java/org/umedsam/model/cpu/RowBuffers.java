package org.umedsam.model.cpu;

/**
 * Per-thread scratch rows for a kernel's vectorisable inner loops (offset-0 arrays), grown to the longest length
 * asked for. One instance per kernel: a kernel that calls another (the depthwise backward runs the forward on a
 * rotated kernel) must not hand it the rows it is using.
 */
final class RowBuffers {

    private final ThreadLocal<float[][]> rows;

    RowBuffers(int count) {
        rows = ThreadLocal.withInitial(() -> new float[count][0]);
    }

    /** This thread's rows, each at least {@code len} floats (contents undefined). */
    float[][] get(int len) {
        float[][] r = rows.get();
        if (r[0].length < len) {
            for (int i = 0; i < r.length; i++) {
                r[i] = new float[len];
            }
        }
        return r;
    }
}

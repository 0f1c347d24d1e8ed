package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DepthwiseConv3x3#hwcBand} with the Vector API: the same stride-1 depthwise 3x3 convolution (padding 1) plus
 * bias on a band of a channel-last map, then GELU when asked ({@link VectorGelu#applyBias}, the same bits as the
 * plain kernel's {@link Gelu#apply}), and the same tasks (an output row's segment of {@code SEGMENT_FLOATS / C}
 * pixels each).
 *
 * <p>Schedule, per task: for each vector of channels, the nine taps and the bias are loaded into registers once,
 * then the segment's pixels are swept as a sliding window: each output vector is nine fused multiply-adds on input
 * vectors held in registers, of which only the right column's three are loaded (no gathered rows, no accumulator
 * row loaded and stored per tap row as the plain kernel does). The products are summed in the same order as when
 * all nine were loaded per pixel, so the same bits; that took 1.2 to 1.4 times as long on one thread, and an MBConv
 * band of 16 x 256 x 256 values 18.4 ms against 13.7 to 15.3 ms per 33.5 M values (two threads, GELU, 2-core
 * AVX-512 host, 2026-12-05; within the noise of a whole embedding). Tap rows that fall in
 * the zero padding (top and bottom of the map) read a real row with zero taps; the map's first and last pixels skip
 * their missing columns.
 *
 * <p>Numerics: float32, {@code bias + sum of the nine products} accumulated by fused multiply-adds in tap order,
 * so results differ from the plain kernel by rounding only (a test checks 1e-5 relative). Deterministic. Inference
 * only; training keeps the plain kernels. Needs {@code C} to be a whole number of vectors ({@link #supports}).
 */
final class VectorDepthwiseConv3x3 {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorDepthwiseConv3x3() {
    }

    /** Whether {@code channels} is a whole number of vectors. */
    static boolean supports(int channels) {
        return channels % L == 0;
    }

    /*
     * Why each band has its own task lambdas, chosen before the tasks run (with or without GELU), rather than one
     * SegmentTask through DepthwiseConv3x3.forEachSegment with a GELU test per segment: C2 compiled the shared
     * schedule's lambda with every task type's kernel inlined below it, and recompiled it when a new task type or the
     * other side of the test turned up (a trap in every JVM, 7 s in). In one JVM in three that recompiled code ran
     * GELU's vector operations boxed, 0.2 to 0.4 GB an embedding (JFR allocation samples in an OnnxRuntimeBenchmark
     * JVM, 2026-12-05: 7 GB over the run, all in FloatVector.mul under VectorGelu.gelu under segment, in the compiled
     * forEachSegment lambda). Here each lambda calls one kernel and tests nothing: its profile cannot change.
     */

    /**
     * As {@link DepthwiseConv3x3#hwcBand} (same arguments); reads the taps and the bias from the first pixel of
     * {@code tiled} ({@link DepthwiseConv3x3#tiledTaps}).
     */
    static void hwcBand(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                        float[][] tiled, boolean gelu, float[] y, int yOff) {
        check(channels);
        int segment = tiled[0].length / channels;
        int segments = (width + segment - 1) / segment;
        int rowValues = width * channels;
        int tasks = (row1 - row0) * segments;
        if (gelu) {
            ChunkedParallel.forEach(tasks, t -> {
                int oy = row0 + t / segments;
                int p0 = (t % segments) * segment;
                int p1 = Math.min(width, p0 + segment);
                int out = yOff + (oy - row0) * rowValues;
                segment(x, firstRow, height, width, channels, tiled, oy, p0, p1, y, out);
                VectorGelu.applyBias(y, out + p0 * channels, (p1 - p0) * channels, 0f);
            });
        } else {
            ChunkedParallel.forEach(tasks, t -> {
                int oy = row0 + t / segments;
                int p0 = (t % segments) * segment;
                segment(x, firstRow, height, width, channels, tiled, oy, p0, Math.min(width, p0 + segment), y,
                        yOff + (oy - row0) * rowValues);
            });
        }
    }

    /**
     * As {@link DepthwiseConv3x3#hwcBand(float[], int, int, int, int, int, int, float[][], boolean, NativeFloats)}:
     * each segment is computed into a per-thread heap row, then copied off-heap while in L1.
     */
    static void hwcBand(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                        float[][] tiled, boolean gelu, NativeFloats y) {
        check(channels);
        y.ensure((long) (row1 - row0) * width * channels);
        int segment = tiled[0].length / channels;
        int segments = (width + segment - 1) / segment;
        int tasks = (row1 - row0) * segments;
        if (gelu) {
            ChunkedParallel.forEach(tasks, t -> {
                int oy = row0 + t / segments;
                int p0 = (t % segments) * segment;
                int len = (Math.min(width, p0 + segment) - p0) * channels;
                float[] row = segmentInRow(x, firstRow, height, width, channels, tiled, oy, p0, len);
                VectorGelu.applyBias(row, 0, len, 0f);
                y.put(((oy - row0) * width + p0) * channels, row, 0, len);
            });
        } else {
            ChunkedParallel.forEach(tasks, t -> {
                int oy = row0 + t / segments;
                int p0 = (t % segments) * segment;
                int len = (Math.min(width, p0 + segment) - p0) * channels;
                y.put(((oy - row0) * width + p0) * channels,
                        segmentInRow(x, firstRow, height, width, channels, tiled, oy, p0, len), 0, len);
            });
        }
    }

    /** The {@code len} values of output row {@code oy} from pixel {@code p0} in this thread's heap row, from 0. */
    private static float[] segmentInRow(float[] x, int firstRow, int height, int width, int channels, float[][] tiled,
                                        int oy, int p0, int len) {
        float[] row = SEGMENT.get(len)[0];
        // the row's pixel 0 sits at -p0 * C, so the segment's first pixel lands at 0
        segment(x, firstRow, height, width, channels, tiled, oy, p0, p0 + len / channels, row, -p0 * channels);
        return row;
    }

    private static final RowBuffers SEGMENT = new RowBuffers(1);

    /** Tap row {@code k} of {@code tiled} if {@code inside} is 1, its zero row if 0: an index, without a branch. */
    private static int tapRow(int k, int inside) {
        return k + (1 - inside) * (DepthwiseConv3x3.ZERO_ROW - k);
    }

    private static void check(int channels) {
        if (!supports(channels)) {
            throw new IllegalArgumentException(channels + " channels are not a multiple of " + L + " lanes");
        }
    }

    /**
     * Output row {@code oy}'s pixels {@code [p0, p1)} into {@code y}, whose index {@code out} is the row's pixel 0
     * (so {@code out + p0 * C} is the segment's first value), before any GELU (the caller's).
     */
    private static void segment(float[] x, int firstRow, int height, int width, int c, float[][] tiled, int oy,
                                int p0, int p1, float[] y, int out) {
        // a tap row in the padding reads the middle row with zero taps. 1 or 0 by arithmetic, not by a branch: C2
        // compiled a branch it had not yet seen taken (the map's first or last row) as a trap, and after the trap the
        // kernel ran interpreted, an object per vector operation, until compiled again, for seconds in some JVMs
        int up = Math.min(oy, 1);
        int down = Math.min(height - 1 - oy, 1);
        int mid = (oy - firstRow) * width * c;
        int top = mid - up * width * c;
        int bottom = mid + down * width * c;
        for (int cv = 0; cv < c; cv += L) {
            segmentChannels(x, width, c, cv, p0, p1, top, mid, bottom, up, down, tiled, y, out);
        }
    }

    /**
     * Output pixels {@code [p0, p1)} of one row, channels {@code [cv, cv + L)}, into {@code y} from {@code out};
     * {@code up} and {@code down} are 1 where the row above or below is inside the map, else 0.
     */
    private static void segmentChannels(float[] x, int width, int c, int cv, int p0, int p1, int top, int mid,
                                        int bottom, int up, int down, float[][] tiled, float[] y, int out) {
        FloatVector w00 = FloatVector.fromArray(SPECIES, tiled[tapRow(0, up)], cv);
        FloatVector w01 = FloatVector.fromArray(SPECIES, tiled[tapRow(1, up)], cv);
        FloatVector w02 = FloatVector.fromArray(SPECIES, tiled[tapRow(2, up)], cv);
        FloatVector w10 = FloatVector.fromArray(SPECIES, tiled[3], cv);
        FloatVector w11 = FloatVector.fromArray(SPECIES, tiled[4], cv);
        FloatVector w12 = FloatVector.fromArray(SPECIES, tiled[5], cv);
        FloatVector w20 = FloatVector.fromArray(SPECIES, tiled[tapRow(6, down)], cv);
        FloatVector w21 = FloatVector.fromArray(SPECIES, tiled[tapRow(7, down)], cv);
        FloatVector w22 = FloatVector.fromArray(SPECIES, tiled[tapRow(8, down)], cv);
        FloatVector bias = FloatVector.fromArray(SPECIES, tiled[9], cv);
        int first = Math.max(p0, 1);
        int last = Math.min(p1, width - 1); // interior pixels [first, last) have both neighbours
        if (p0 == 0) { // the map's first pixel: no left column, and a right one unless the map is one pixel wide
            int o = cv;
            FloatVector acc = FloatVector.fromArray(SPECIES, x, top + o).fma(w01, bias);
            if (width > 1) {
                acc = FloatVector.fromArray(SPECIES, x, top + o + c).fma(w02, acc);
            }
            acc = FloatVector.fromArray(SPECIES, x, mid + o).fma(w11, acc);
            if (width > 1) {
                acc = FloatVector.fromArray(SPECIES, x, mid + o + c).fma(w12, acc);
            }
            acc = FloatVector.fromArray(SPECIES, x, bottom + o).fma(w21, acc);
            if (width > 1) {
                acc = FloatVector.fromArray(SPECIES, x, bottom + o + c).fma(w22, acc);
            }
            acc.intoArray(y, out + o);
        }
        if (first < last) {
            // a sliding window: each step loads the right column and reuses the two before it
            int o0 = first * c + cv;
            FloatVector tl = FloatVector.fromArray(SPECIES, x, top + o0 - c);
            FloatVector tm = FloatVector.fromArray(SPECIES, x, top + o0);
            FloatVector ml = FloatVector.fromArray(SPECIES, x, mid + o0 - c);
            FloatVector mm = FloatVector.fromArray(SPECIES, x, mid + o0);
            FloatVector bl = FloatVector.fromArray(SPECIES, x, bottom + o0 - c);
            FloatVector bm = FloatVector.fromArray(SPECIES, x, bottom + o0);
            for (int p = first; p < last; p++) {
                int o = p * c + cv;
                FloatVector tr = FloatVector.fromArray(SPECIES, x, top + o + c);
                FloatVector mr = FloatVector.fromArray(SPECIES, x, mid + o + c);
                FloatVector br = FloatVector.fromArray(SPECIES, x, bottom + o + c);
                FloatVector acc = tl.fma(w00, bias);
                acc = tm.fma(w01, acc);
                acc = tr.fma(w02, acc);
                acc = ml.fma(w10, acc);
                acc = mm.fma(w11, acc);
                acc = mr.fma(w12, acc);
                acc = bl.fma(w20, acc);
                acc = bm.fma(w21, acc);
                acc = br.fma(w22, acc);
                acc.intoArray(y, out + o);
                tl = tm;
                tm = tr;
                ml = mm;
                mm = mr;
                bl = bm;
                bm = br;
            }
        }
        if (p1 == width && width > 1) { // the map's last pixel: no right column
            int o = (width - 1) * c + cv;
            FloatVector acc = FloatVector.fromArray(SPECIES, x, top + o - c).fma(w00, bias);
            acc = FloatVector.fromArray(SPECIES, x, top + o).fma(w01, acc);
            acc = FloatVector.fromArray(SPECIES, x, mid + o - c).fma(w10, acc);
            acc = FloatVector.fromArray(SPECIES, x, mid + o).fma(w11, acc);
            acc = FloatVector.fromArray(SPECIES, x, bottom + o - c).fma(w20, acc);
            acc = FloatVector.fromArray(SPECIES, x, bottom + o).fma(w21, acc);
            acc.intoArray(y, out + o);
        }
    }
}

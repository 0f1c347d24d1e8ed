package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/** Blocked matrix transpose on heap arrays: channel-first {@code [C, HW]} to channel-last {@code [HW, C]} and back. */
final class Transpose {

    private static final int BLOCK = 64;

    private Transpose() {
    }

    /**
     * {@code y[cols, rows] = x[rows, cols]ᵀ}, parallel over blocks of {@code 64 x 64}: a map of 64 channels is one
     * row block, which alone would keep it on one thread.
     */
    static void apply(float[] x, int rows, int cols, float[] y) {
        int rowBlocks = (rows + BLOCK - 1) / BLOCK;
        int colBlocks = (cols + BLOCK - 1) / BLOCK;
        IntStream.range(0, rowBlocks * colBlocks).parallel().forEach(t -> {
            int r0 = (t / colBlocks) * BLOCK;
            int r1 = Math.min(rows, r0 + BLOCK);
            int c0 = (t % colBlocks) * BLOCK;
            int c1 = Math.min(cols, c0 + BLOCK);
            for (int r = r0; r < r1; r++) {
                int xo = r * cols;
                for (int c = c0; c < c1; c++) {
                    y[c * rows + r] = x[xo + c];
                }
            }
        });
    }
}

package org.umedsam.model.cpu;


/** Blocked matrix transpose on heap arrays: channel-first {@code [C, HW]} to channel-last {@code [HW, C]} and back. */
final class Transpose {

    private static final int BLOCK = 64;

    /** One thread's {@code 64 x 64} block, transposed. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[BLOCK * BLOCK]);

    private Transpose() {
    }

    /**
     * {@code y[cols, rows] = x[rows, cols]ᵀ}, parallel over blocks of {@code 64 x 64} (a map of 64 channels is one
     * row block, which alone would keep it on one thread). Each block is read row by row into a small tile,
     * transposed there, and written out row by row.
     *
     * <p>Why the tile: written straight to {@code y}, a block's 64 writes per input row are {@code rows} floats
     * apart, and with {@code rows} a power of two (4096 pixels, 65536) they all fall in the same few L1 sets and
     * evict each other. The neck's {@code [4096, 256]} took 4 to 8 ms that way, 0.6 to 0.7 ms through the tile;
     * {@code [65536, 64]} 26 to 27 against 2.7 ms; {@code [256, 65536]} 31 against 17 ms; {@code [64, 65536]}, where
     * the writes did not collide, 3.0 against 3.4 ms (two threads, 2-core Zen 5 VM, 2026-12-05).
     */
    static void apply(float[] x, int rows, int cols, float[] y) {
        int rowBlocks = (rows + BLOCK - 1) / BLOCK;
        int colBlocks = (cols + BLOCK - 1) / BLOCK;
        ChunkedParallel.forEach(rowBlocks * colBlocks, t -> {
            float[] tile = TILE.get();
            int r0 = (t / colBlocks) * BLOCK;
            int r1 = Math.min(rows, r0 + BLOCK);
            int c0 = (t % colBlocks) * BLOCK;
            int c1 = Math.min(cols, c0 + BLOCK);
            for (int r = r0; r < r1; r++) {
                int xo = r * cols;
                int to = r - r0 - c0 * BLOCK;
                for (int c = c0; c < c1; c++) {
                    tile[c * BLOCK + to] = x[xo + c];
                }
            }
            for (int c = c0; c < c1; c++) {
                System.arraycopy(tile, (c - c0) * BLOCK, y, c * rows + r0, r1 - r0);
            }
        });
    }
}

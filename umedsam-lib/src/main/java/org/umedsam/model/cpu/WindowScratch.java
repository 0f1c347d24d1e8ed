package org.umedsam.model.cpu;

/**
 * One thread's buffers for a (window, head) task of the window attention forward, {@code N = ws*ws} positions
 * and {@code d} head channels: the gathered token offsets, the real queries' window positions and output
 * offsets, and the transposed blocks {@code qT [d][N]}, {@code sT [N][N]} (scores, then unnormalised weights),
 * {@code oT [d][N]} with the per-query maxima and sums. Shared by {@link WindowAttentionKernel} and, for the
 * recomputed forward, {@link WindowAttentionGradient}; each row is
 * its own array so that the inner loops run over offset-0 arrays (the form C2 vectorises), {@link #padded} long so
 * that {@link VectorWindowRows} reads and writes whole vectors.
 */
final class WindowScratch {
    /** Rows indexed by query or key hold a multiple of this many floats (16: AVX-512's float lanes). */
    static final int PAD = 16;

    final int[] token;
    final int[] queryPos;
    final int[] outRow;
    /** Per real query, the qkv offset of its head's q ({@code token[queryPos[r]]}). */
    final int[] querySource;
    final float[][] qT;
    final float[][] sT;
    final float[][] oT;
    final float[] max;
    final float[] sum;

    WindowScratch(int n, int d) {
        int np = padded(n);
        token = new int[n];
        queryPos = new int[n];
        outRow = new int[n];
        querySource = new int[n];
        qT = new float[d][np];
        sT = new float[n][np];
        oT = new float[d][np];
        max = new float[np];
        sum = new float[np];
    }

    /** {@code n} rounded up to a multiple of {@link #PAD}. */
    static int padded(int n) {
        return (n + PAD - 1) / PAD * PAD;
    }

    /** One scratch per thread for {@code g}'s window size and head dim. */
    static ThreadLocal<WindowScratch> perThread(WindowGeometry g) {
        int n = g.tokens;
        int d = g.headDim;
        return ThreadLocal.withInitial(() -> new WindowScratch(n, d));
    }

    /**
     * Gathers window {@code (wy, wx)} for head {@code h} ({@link WindowAttentionKernel#gather} into
     * {@link #token}, {@link #queryPos}, {@link #outRow}, then {@link #querySource}) and its scaled queries
     * ({@code qT[c][r] = scale * q_r[c]}) into {@link #qT}; returns the number of real queries.
     */
    int gatherQueries(WindowGeometry g, float[] qkv, int side, int wy, int wx, int h) {
        int nq = WindowAttentionKernel.gather(side, wy, wx, h, g.heads, g.headDim, g.ws, token, queryPos, outRow);
        for (int r = 0; r < nq; r++) {
            querySource[r] = token[queryPos[r]];
        }
        WindowAttentionKernel.gatherColumns(qkv, querySource, nq, g.headDim, g.scale, qT);
        return nq;
    }
}

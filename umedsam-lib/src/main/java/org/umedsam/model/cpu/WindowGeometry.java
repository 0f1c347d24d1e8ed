package org.umedsam.model.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixed geometry of one TinyViT window attention, shared by its forward
 * ({@link WindowAttentionKernel}, inference and training) and its backward
 * ({@link WindowAttentionGradient}): {@code heads} heads of {@code headDim} channels over {@code ws x ws}
 * windows of {@code tokens = ws*ws} positions, the query scale {@code headDim^-0.5} (float32, as upstream's
 * {@code key_dim ** -0.5}), the learned bias of every pair of positions {@code pairBias [heads, N, N]}, and the
 * one parallel schedule both use: a task per (window, head) of a {@code side x side} token map.
 *
 * <p>Why one class: the two kernels must agree on this geometry to the bit (the backward recomputes the
 * forward's attention weights), so it is built and checked once. Fields are read once per task, never in an
 * inner loop.
 */
final class WindowGeometry {

    final int heads;
    final int headDim;
    final int ws;
    /** {@code N = ws * ws}, the positions of a window (padded ones included). */
    final int tokens;
    final float scale;
    /** {@code [heads, N, N]}: the learned bias of every pair in a window. */
    final float[] pairBias;

    /**
     * @param attentionBiases {@code [heads, ws*ws]} (state-dict layout)
     */
    WindowGeometry(int heads, int headDim, int ws, float[] attentionBiases) {
        if (heads < 1 || headDim < 1 || ws < 1) {
            throw new IllegalArgumentException("window attention needs heads, headDim and ws >= 1, got heads "
                    + heads + ", headDim " + headDim + ", ws " + ws);
        }
        int n = ws * ws;
        if (attentionBiases.length != heads * n) {
            throw new IllegalArgumentException("attention_biases must be [heads, ws*ws] = [" + heads + ", " + n
                    + "] (" + heads * n + " values), got " + attentionBiases.length);
        }
        this.heads = heads;
        this.headDim = headDim;
        this.ws = ws;
        this.tokens = n;
        this.scale = (float) Math.pow(headDim, -0.5);
        this.pairBias = pairBiases(heads, ws, attentionBiases);
    }

    /**
     * Upstream's attention_bias_idxs for a {@code ws x ws} window: {@code idx[i * N + j] = |dy| * ws + |dx|} for
     * window positions {@code i, j} ({@code N = ws * ws}), {@code [N, N]}.
     */
    static int[] pairIndex(int ws) {
        int n = ws * ws;
        int[] idx = new int[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                idx[i * n + j] = Math.abs(i / ws - j / ws) * ws + Math.abs(i % ws - j % ws);
            }
        }
        return idx;
    }

    /**
     * The learned bias of every pair in a window, {@code [heads, N, N]}: {@code attentionBiases[h, pairIndex[i, j]]}.
     *
     * @param attentionBiases {@code [heads, N]}
     */
    static float[] pairBiases(int heads, int ws, float[] attentionBiases) {
        int n = ws * ws;
        int[] idx = pairIndex(ws);
        float[] bias = new float[heads * n * n];
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < n * n; p++) {
                bias[h * n * n + p] = attentionBiases[h * n + idx[p]];
            }
        }
        return bias;
    }

    /** Windows along one side of a {@code side x side} map zero-padded at bottom/right to a multiple of ws. */
    int windowsPerSide(int side) {
        return (side + ws - 1) / ws;
    }

    /**
     * Runs {@code task} once per (window, head) of a {@code side x side} map, in parallel; task
     * {@code t = (wy * nw + wx) * heads + h} with {@code nw} {@link #windowsPerSide}. The threads take tasks one
     * at a time from a shared counter, largest first ({@link #largestFirst}). Why: a parallel stream over the task
     * numbers cut them into four fixed blocks, and windows at the map's bottom and right edge hold padding, so the
     * blocks cost different amounts and the last one to finish ran on one core: LiteMedSAM's 64 x 64 map with
     * 14 x 14 windows has 80 tasks of 196 real queries, 40 of 112 and 5 of 64, the lighter ones all in the last
     * block. Each task writes only its own rows and its own partial sums, so the order does not change a bit.
     */
    void forEachWindowHead(int side, Task task) {
        int nw = windowsPerSide(side);
        int h = heads;
        int[] order = largestFirst(side);
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(order.length, Runtime.getRuntime().availableProcessors());
        ChunkedParallel.forEach(workers, worker -> {
            for (int i = next.getAndIncrement(); i < order.length; i = next.getAndIncrement()) {
                int t = order[i];
                int win = t / h;
                task.run(t, win / nw, win % nw, t % h);
            }
        });
    }

    /**
     * The task numbers of {@link #forEachWindowHead} for a {@code side x side} map, by descending count of real
     * (not padded) queries in their window, then ascending: the work of a task grows with its real queries.
     */
    int[] largestFirst(int side) {
        int nw = windowsPerSide(side);
        int tasks = nw * nw * heads;
        Integer[] order = new Integer[tasks];
        int[] queries = new int[tasks];
        for (int t = 0; t < tasks; t++) {
            int win = t / heads;
            int rows = Math.min(ws, side - win / nw * ws);
            int cols = Math.min(ws, side - win % nw * ws);
            queries[t] = rows * cols;
            order[t] = t;
        }
        Arrays.sort(order, (a, b) -> queries[a] != queries[b] ? Integer.compare(queries[b], queries[a])
                : Integer.compare(a, b));
        int[] out = new int[tasks];
        for (int i = 0; i < tasks; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /** One (window, head) task of {@link #forEachWindowHead}. */
    @FunctionalInterface
    interface Task {
        void run(int task, int wy, int wx, int h);
    }
}

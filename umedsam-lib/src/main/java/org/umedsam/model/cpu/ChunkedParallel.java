package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * A chunked parallel loop (fixed chunks, so results do not depend on thread timing), the same in cache-sized
 * pieces, the in-order merge of per-chunk partial sums, and element-wise addition on row-major heap arrays.
 */
final class ChunkedParallel {

    private ChunkedParallel() {
    }

    /** Work below this many elements runs on the calling thread only. */
    private static final int PARALLEL_MIN = 1 << 15;

    /** A loop body over {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /**
     * Per-chunk partial sums of a {@link #parallel} loop, added in chunk order afterwards: the
     * result then does not depend on which thread finishes first, so a training run is
     * bit-reproducible (a resumed run must reach the uninterrupted run's weights).
     */
    static final class OrderedMerge {
        private final java.util.concurrent.ConcurrentSkipListMap<Integer, Runnable> merges =
                new java.util.concurrent.ConcurrentSkipListMap<>();

        /** Registers the merge of the chunk starting at {@code from}. */
        void add(int from, Runnable merge) {
            merges.put(from, merge);
        }

        /** Runs the registered merges in chunk order and forgets them. */
        void run() {
            for (Runnable r : merges.values()) {
                r.run();
            }
            merges.clear();
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks, in parallel when {@code n * costPerItem}
     * is large enough to pay for the fork.
     */
    static void parallel(int n, int costPerItem, Range body) {
        long work = (long) n * costPerItem;
        int threads = Runtime.getRuntime().availableProcessors();
        if (work < PARALLEL_MIN || threads == 1 || n < 2) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            body.run(from, to);
        });
    }

    /**
     * Floats a step of an element-wise pass covers at a time in {@link #inPieces} (16 KB), so that the next step
     * reads them from L1.
     */
    static final int PIECE = 4096;

    /**
     * As {@link #parallel}, with each chunk handed to {@code body} a {@link #PIECE} at a time: a pass of several
     * steps over the same values (a sum, then GELU) reads each step's output from L1 instead of streaming the
     * chunk through memory once per step.
     */
    static void inPieces(int n, int costPerItem, Range body) {
        parallel(n, costPerItem, (from, to) -> {
            for (int p = from; p < to; p += PIECE) {
                body.run(p, Math.min(to, p + PIECE));
            }
        });
    }

    /** {@code y = x + r} element-wise, {@code n} values (y may alias x). */
    static void add(float[] x, float[] r, float[] y, int n) {
        parallel(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[i] = x[i] + r[i];
            }
        });
    }
}

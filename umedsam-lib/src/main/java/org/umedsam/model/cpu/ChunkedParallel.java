package org.umedsam.model.cpu;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A chunked parallel loop (fixed chunks, so results do not depend on thread timing), the same in cache-sized
 * pieces, the in-order merge of per-chunk partial sums, and element-wise addition on row-major heap arrays; and
 * {@link #tasks}, which gives each thread whole tasks whose loops then run on that thread alone.
 */
final class ChunkedParallel {

    private ChunkedParallel() {
    }

    /** Per thread: whether the engine's loops started on it run on it alone ({@link #tasks}). */
    private static final ThreadLocal<boolean[]> SEQUENTIAL = ThreadLocal.withInitial(() -> new boolean[1]);

    /**
     * Whether this thread runs a {@link #tasks} task: every loop of {@link #parallel}, {@link #forEach} and
     * {@link RowParallelGemm} it starts then runs on it alone, products with one OpenMP thread.
     */
    static boolean sequentialHere() {
        return SEQUENTIAL.get()[0];
    }

    /**
     * {@code body} for each of {@code [0, n)}: in parallel, on the {@link SpinningWorkers} inside their
     * {@link SpinningWorkers#during} and else on the common pool, or on this thread alone inside a {@link #tasks} task.
     */
    static void forEach(int n, IntConsumer body) {
        if (sequentialHere() || n <= 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        } else if (!SpinningWorkers.run(n, body)) {
            IntStream.range(0, n).parallel().forEach(body);
        }
    }

    /** A task of {@link #tasks}: task {@code task}, run with the buffers of {@code slot}. */
    interface Task {
        void run(int task, int slot);
    }

    /**
     * Runs tasks {@code [0, tasks)} on up to {@code slots} threads (the caller's included), each thread taking the
     * next task in order until none is left and running each with every loop inside on itself
     * ({@link #sequentialHere}). Slot {@code s} is used by one thread at a time, so a task may use buffers of its
     * own per slot. Why: a layer made of many short loops over independent pieces (an MBConv block's bands, six
     * loops of a fraction of a millisecond each; the mask decoder's up-scaling, four) forks and joins once instead
     * of once per loop, and a thread that starts late (a woken worker) takes fewer tasks instead of holding up
     * every loop.
     *
     * @param slots at least 1; with 1, or inside a task, everything runs on the calling thread
     */
    static void tasks(int tasks, int slots, Task body) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Range runner = (slot, unused) -> {
            boolean[] flag = SEQUENTIAL.get();
            boolean before = flag[0];
            flag[0] = true;
            try {
                for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                    body.run(t, slot);
                }
            } finally {
                flag[0] = before;
            }
        };
        int threads = Math.min(slots, tasks);
        if (threads <= 1 || sequentialHere()) {
            runner.run(0, 0);
            return;
        }
        forEach(threads, slot -> runner.run(slot, 0));
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
        if (work < PARALLEL_MIN || threads == 1 || n < 2 || sequentialHere()) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        forEach(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
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

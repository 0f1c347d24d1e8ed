package org.umedsam.model.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Worker threads of the engine's own that spin for {@value #SPIN_MICROS} us after each loop before they park, for
 * the loops of a training pass ({@link #during}): the {@link ChunkedParallel} loops and {@link RowParallelGemm}'s
 * row blocks started on a thread inside {@link #during} run their chunks on the calling thread and these workers,
 * each taking the next chunk until none is left, instead of forking to the common {@link ForkJoinPool}.
 *
 * <p>Why: a training pass runs thousands of loops of a fraction of a millisecond to a few milliseconds, one after
 * another. The common pool's worker parks between them, and each loop then wakes it: a futex wake, and on the 2-core
 * VM measured here a woken thread is placed on the waking thread's CPU, so the loop's halves often ran one after the
 * other while the other CPU idled ({@code ForkLatencyBenchmark}; in a {@code perf record -a} of training passes one
 * CPU was idle in 6.6 % of the samples). A worker that is still spinning when the next loop comes takes its chunks at
 * once, on its own CPU. A LiteMedSAM pass at batch 2 (forward and backward, every parameter), started on a plain
 * thread (these workers) and in a 2-thread {@link ForkJoinPool} (not these workers) alternately in one JVM: medians
 * 4.51 against 4.61 s over 20 rounds, faster in 14 (median of the paired ratios 0.988); 4.90 against 5.04 s over 12
 * rounds in a noisier hour; with 1 ms of spinning instead, 4.97 against 4.85 s (2026-12-07, 2-core Zen 4 VM). A
 * percent or two, then. Inference keeps the common pool: with every loop on spinning workers, a 1-box decode back
 * to back took 23.0 against 21.1 ms (the spinning worker takes the CPU the products' OpenMP thread needs) and an
 * embedding 0.526 against 0.518 s, though a decode after 50 ms idle took 26.2 against 28.8 ms.
 *
 * <p>Which thread runs a chunk does not change any result: every loop of the engine writes disjoint outputs per
 * chunk or merges per-chunk partial sums in chunk order ({@link ChunkedParallel.OrderedMerge}), so a training pass is
 * the same bits either way (tested). One loop at a time uses the workers; a loop started while they are taken (a
 * loop inside a chunk, or another thread's) forks to the common pool as before. Outside a pool thread only: a caller
 * running in a {@link ForkJoinPool} of its own (a grid task, a test's 2-thread pool) keeps that pool and its
 * parallelism.
 */
final class SpinningWorkers {

    /** How long a worker spins for the next loop before it parks. */
    static final long SPIN_MICROS = 200;
    /** The worker threads: the common pool's parallelism, at most the processors less the calling thread. */
    static final int WORKERS = Math.max(0, Math.min(Runtime.getRuntime().availableProcessors() - 1,
            ForkJoinPool.getCommonPoolParallelism()));

    /** Per thread: inside how many nested {@link #during} calls it is. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    /** Taken by the loop that has the workers. */
    private static final AtomicBoolean TAKEN = new AtomicBoolean();
    private static volatile Worker[] workers;

    private SpinningWorkers() {
    }

    /** Runs {@code body} with the loops it starts on this thread on the spinning workers; returns its result. */
    static <T> T during(Supplier<T> body) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            return body.get();
        } finally {
            depth[0]--;
        }
    }

    /**
     * Runs {@code body} for chunks {@code [0, chunks)} on this thread and the spinning workers, if this thread is
     * inside {@link #during}, not a pool thread, and the workers are free; returns whether it did (else the caller
     * runs the loop its usual way). The first exception a chunk throws is rethrown once every chunk has ended.
     */
    static boolean run(int chunks, IntConsumer body) {
        // a worker's own loops never get here: DEPTH is 0 on it, and TAKEN is held while it runs a chunk
        if (WORKERS == 0 || DEPTH.get()[0] == 0 || ForkJoinTask.inForkJoinPool() || !TAKEN.compareAndSet(false, true)) {
            return false;
        }
        try {
            Worker[] all = workers();
            Job job = new Job(chunks, body);
            for (Worker w : all) {
                w.job = job;
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            job.work();
            job.awaitChunks();
            for (Worker w : all) {
                w.job = null; // the loop's body, and what it holds, is not kept alive until the next loop
            }
            job.rethrow();
            return true;
        } finally {
            TAKEN.set(false);
        }
    }

    private static Worker[] workers() {
        Worker[] w = workers;
        if (w == null) {
            synchronized (SpinningWorkers.class) {
                w = workers;
                if (w == null) {
                    w = new Worker[WORKERS];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = new Worker(i);
                        w[i].start();
                    }
                    workers = w;
                }
            }
        }
        return w;
    }

    /** One loop: its chunks, handed out in order to whichever thread asks next. */
    private static final class Job {
        private final int chunks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger ended = new AtomicInteger();
        private volatile Throwable error;

        Job(int chunks, IntConsumer body) {
            this.chunks = chunks;
            this.body = body;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.accept(c);
                } catch (Throwable t) {
                    if (error == null) {
                        error = t;
                    }
                } finally {
                    ended.incrementAndGet();
                }
            }
        }

        /** Waits for the chunks other threads took: spinning (they are short), yielding after a while. */
        void awaitChunks() {
            for (int spins = 0; ended.get() < chunks; spins++) {
                if (spins < 4096) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void rethrow() {
            Throwable t = error;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Takes each new job's chunks, then spins for the next job, then parks until one is handed to it. */
    private static final class Worker extends Thread {
        volatile Job job;
        volatile boolean parked;

        Worker(int index) {
            super("umedsam-spinning-worker-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            Job done = null;
            while (true) {
                Job j = job;
                if (j != done) {
                    done = j;
                    if (j != null) {
                        j.work();
                    }
                    continue;
                }
                long until = System.nanoTime() + SPIN_MICROS * 1000;
                while (job == done && System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                if (job != done) {
                    continue;
                }
                // parked is set before the job is read again, and run() sets the job before it reads parked, so
                // one of the two sees the other: no job is left without a worker awake for it
                parked = true;
                if (job == done) {
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }
}

package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * An off-heap product {@code c [m, n] = a [m, k] · op(b) + beta c} (op: {@code b [k, n]}, or {@code b [n, k]}
 * transposed) computed as blocks of rows on the engine's Java threads, each block one single-threaded
 * {@code Nd4j.gemm} (oneDNN): thread {@code t} of {@code T} computes rows {@code [m t / T, m (t + 1) / T)} (rounded
 * to multiples of {@link #ROW_STEP}), the same rows on every call, so the result does not depend on timing.
 *
 * <p>Why: the engine's passes alternate Java loops on the common pool with products, and oneDNN ran each product
 * on OpenMP threads of its own. Those threads sleep between calls ({@code OMP_WAIT_POLICY=PASSIVE}, which the
 * Java loops need), so every product first woke one while the Java pool's workers slept through it. Timed by
 * phase (wall and process CPU time, LiteMedSAM's encoder in a 2-thread pool, 2-core Zen 5 VM, 2026-12-05), the
 * two cores were busy 1.6 to 1.9 of the time through the products; as row blocks, interleaved with the single
 * calls in one JVM over 30 embeddings each, an embedding took 0.93 and 0.95 of the time (386 against 416 ms,
 * 387 against 408 ms), the MBConv stage 0.87 and 0.89 ({@code docs/speed-history.md}). The mask decoder's tall
 * products (the image-to-token output, both up-scaling products) run this way too since 2026-12-06: on a 2-core
 * Zen 4 VM a 1-box LiteMedSAM decode took about 2 ms less (29.7 and 28.0 against 31.9 and 29.5 ms back to back,
 * 33.6 and 32.2 against 35.5 and 34.1 ms after 50 ms idle; two JVMs, the two forms alternating), where a
 * {@code [4096, 256] x [256, 128]} product on two OpenMP threads took 1.0 to 1.4 times one thread's time. A product
 * too small to pay for a second call (under {@link #MIN_WORK} multiply-adds, or under {@link #MIN_ROWS} rows a
 * thread) is one call as before.
 *
 * <p>Numerics: a block's rows are the same dot products as in one call, but oneDNN picks its kernels by the call's
 * shape and thread count, so results differ from the single call by float rounding (4e-6 on the encoder's
 * embedding); the same inputs and thread count give the same bits.
 */
final class RowParallelGemm {

    /** Fewer rows a thread than this: one call ({@link #ROW_STEP} for {@link #multiplyFewRows}). */
    static final int MIN_ROWS = 64;
    /** Blocks start at multiples of this many rows ({@link #firstRow}). */
    static final int ROW_STEP = 8;
    /** Fewer multiply-adds than this (about 50 us on one core): one call. */
    static final long MIN_WORK = 1L << 22;

    private RowParallelGemm() {
    }

    /**
     * {@code c [m, n] = a [m, k] · op(b) + beta c}, {@code a} and {@code c} off-heap from index 0 (both already
     * large enough), {@code b} {@code [n, k]} when {@code transB}, else {@code [k, n]}.
     */
    static void multiply(NativeFloats a, int m, int k, INDArray b, boolean transB, int n, NativeFloats c,
                         double beta) {
        multiply(a, 0, m, k, b, transB, n, c, 0, beta, MIN_ROWS);
    }

    /**
     * As {@link #multiply(NativeFloats, int, int, INDArray, boolean, int, NativeFloats, double)} from row
     * {@code aRow} of a larger off-heap matrix {@code a [., k]} into rows from {@code cRow} of {@code c [., n]}: the
     * same blocks and calls as for a product of those {@code m} rows alone, so the same bits.
     */
    static void multiply(NativeFloats a, int aRow, int m, int k, INDArray b, boolean transB, int n, NativeFloats c,
                         int cRow, double beta) {
        multiply(a, (long) aRow * k, m, k, b, transB, n, c, (long) cRow * n, beta, MIN_ROWS);
    }

    /**
     * As {@link #multiply(NativeFloats, int, int, INDArray, boolean, int, NativeFloats, double)} for a product of
     * few rows whose other sizes are large: the mask decoder's attention products between its score rows (heads x
     * tokens, 56 for one box) and the 4096 image tokens, {@code [56, 128] x [128, 4096]} and
     * {@code [56, 4096] x [4096, 128]}. Blocks need only {@link #ROW_STEP} rows here. Why: on two OpenMP threads
     * these calls waited for a woken thread after idle time; as two blocks a 1-box LiteMedSAM decode after 50 ms
     * idle took 28.0 and 29.3 against 30.9 and 32.9 ms (back to back 27.1 and 28.2 against 27.4 and 28.7 ms; two
     * JVMs on a 2-core Zen 4 VM, forms alternating in blocks of 10), with the same logits bit for bit in that test.
     */
    static void multiplyFewRows(NativeFloats a, int m, int k, INDArray b, boolean transB, int n, NativeFloats c) {
        multiply(a, 0, m, k, b, transB, n, c, 0, 0.0, ROW_STEP);
    }

    /** {@code a} read from index {@code aOff}, {@code c} written from {@code cOff}. */
    private static void multiply(NativeFloats a, long aOff, int m, int k, INDArray b, boolean transB, int n,
                                 NativeFloats c, long cOff, double beta, int minRows) {
        a.requireMatrix(aOff, m, k);
        c.requireMatrix(cOff, m, n);
        if (ChunkedParallel.sequentialHere()) { // one block, on this thread's single OpenMP thread
            multiplyRows(a, aOff, 0, m, k, b, transB, n, c, cOff, beta);
            return;
        }
        int threads = threads();
        if (!splits(m, k, n, threads, minRows)) {
            Nd4j.gemm(a.matrix(aOff, m, k), b, c.matrix(cOff, m, n), false, transB, 1.0, beta);
            return;
        }
        forEachBlock(m, threads, (r0, r1) -> multiplyRows(a, aOff, r0, r1, k, b, transB, n, c, cOff, beta));
    }

    /**
     * Runs {@code body} on each of {@code threads} blocks of {@code m} rows ({@link #firstRow}), one block a thread
     * on the engine's Java threads: the blocks of {@link #multiply} and {@link #multiplyFewRows}, for a caller that
     * runs more work on the same rows in the same fork.
     */
    static void forEachBlock(int m, int threads, ChunkedParallel.Range body) {
        ChunkedParallel.forEach(threads, t -> body.run(firstRow(m, t, threads), firstRow(m, t + 1, threads)));
    }

    /** Rows {@code [r0, r1)} of {@code c = a · op(b) + beta c} as one single-threaded {@code Nd4j.gemm}. */
    static void multiplyRows(NativeFloats a, int r0, int r1, int k, INDArray b, boolean transB, int n, NativeFloats c,
                             double beta) {
        multiplyRows(a, 0, r0, r1, k, b, transB, n, c, 0, beta);
    }

    /** As {@link #multiplyRows(NativeFloats, int, int, int, INDArray, boolean, int, NativeFloats, double)} with
     * {@code a}'s rows from index {@code aOff} and {@code c}'s from {@code cOff}. */
    private static void multiplyRows(NativeFloats a, long aOff, int r0, int r1, int k, INDArray b, boolean transB,
                                     int n, NativeFloats c, long cOff, double beta) {
        int rows = r1 - r0;
        singleThreaded(() -> Nd4j.gemm(a.matrix(aOff + (long) r0 * k, rows, k), b,
                c.matrix(cOff + (long) r0 * n, rows, n), false, transB, 1.0, beta));
    }

    /**
     * Whether {@link #multiplyFewRows} splits a product {@code [m, k] x [k, n]} into {@code threads} row blocks
     * (else it is one call): a caller that fuses work on the same blocks around such products asks this first.
     */
    static boolean splitsFewRows(int m, int k, int n, int threads) {
        return splits(m, k, n, threads, ROW_STEP);
    }

    /** As {@link #splitsFewRows} for {@link #multiply}. */
    static boolean splitsRows(int m, int k, int n, int threads) {
        return splits(m, k, n, threads, MIN_ROWS);
    }

    private static boolean splits(int m, int k, int n, int threads, int minRows) {
        return threads >= 2 && m >= minRows * threads && (long) m * k * n >= MIN_WORK;
    }

    /**
     * Block {@code t}'s first row: {@code m t / T} rounded down to a multiple of {@link #ROW_STEP} ({@code m} for
     * {@code t = T}).
     */
    static int firstRow(int m, int t, int threads) {
        return t >= threads ? m : (int) ((long) m * t / threads) / ROW_STEP * ROW_STEP;
    }

    /**
     * The Java threads a parallel loop gets here: the enclosing {@link ForkJoinPool}'s parallelism (the common
     * pool's plus the calling thread outside one), at most the processors; 1 inside a
     * {@link ChunkedParallel#tasks} task.
     */
    static int threads() {
        if (ChunkedParallel.sequentialHere()) {
            return 1;
        }
        ForkJoinPool pool = ForkJoinTask.getPool();
        int parallelism = pool != null ? pool.getParallelism() : ForkJoinPool.getCommonPoolParallelism() + 1;
        return Math.min(Runtime.getRuntime().availableProcessors(), parallelism);
    }

    /**
     * Runs {@code product} with this thread's OpenMP thread count at 1 (a per-thread setting in OpenMP), restoring
     * it afterwards: other ND4J work on the same thread keeps its threads.
     */
    private static void singleThreaded(Runnable product) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        if (before == 1) {
            product.run();
            return;
        }
        ops.setOmpNumThreads(1);
        try {
            product.run();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }
}

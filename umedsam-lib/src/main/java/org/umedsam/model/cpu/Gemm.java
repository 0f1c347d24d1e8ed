package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * Single-precision matrix product on heap arrays, computed by ND4J's native sgemm (oneDNN), or by OpenBLAS
 * directly for {@link #wide} products.
 *
 * <p>Why: the CPU forward pass keeps activations in Java {@code float[]} (element-wise work is
 * fastest there), while BLAS runs at about 260-290 GFLOP/s on this machine kind with 2 threads
 * (4096x320 by 320x1280, measured). Operands are copied into per-thread off-heap staging buffers,
 * which costs about 1-2 ns per float: small against the product for every shape the model uses. Long copies are
 * split over the common pool (one core copying left the other idle), and {@link #multiplyBiasActivation} applies a
 * layer's bias, residual and activation while copying the result back ({@link Epilogue}), so the output is written
 * once. Chains of products whose intermediate results only the next product reads skip the heap: {@link NativeLinear}.
 *
 * <p>All matrices are row-major. Thread-safe: each thread has its own staging buffers.
 */
public final class Gemm {

    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    private Gemm() {
    }

    /**
     * {@code c[m, n] = a[m, k] · op(b)}, where {@code op(b) = b[k, n]}, or {@code b[n, k]ᵀ} when
     * {@code transB} (the layout of a PyTorch {@code Linear} weight).
     *
     * @param a    read from {@code aOff}, {@code m * k} values
     * @param b    read from {@code bOff}, {@code k * n} values
     * @param c    written from {@code cOff}, {@code m * n} values (overwritten, not accumulated)
     */
    public static void multiply(float[] a, int aOff, int m, int k, float[] b, int bOff, int n, boolean transB,
                                float[] c, int cOff) {
        multiply(a, aOff, false, m, k, b, bOff, transB, n, c, cOff, false);
    }

    /**
     * {@code c[m, n] (+)= op(a) · op(b)} with both operands optionally transposed: {@code op(a) = a[m, k]}, or
     * {@code a[k, m]ᵀ} when {@code transA}; {@code op(b) = b[k, n]}, or {@code b[n, k]ᵀ} when {@code transB}.
     * With {@code accumulate} the product is added to {@code c} (BLAS beta = 1), else it overwrites it.
     * Used by the decoder's backward pass ({@code dW = dYᵀ X} needs {@code transA}).
     */
    public static void multiply(float[] a, int aOff, boolean transA, int m, int k, float[] b, int bOff, boolean transB,
                                int n, float[] c, int cOff, boolean accumulate) {
        checkSizes(m, k, n);
        check(a, aOff, (long) m * k, "a");
        check(b, bOff, (long) k * n, "b");
        check(c, cOff, (long) m * n, "c");
        Staging s = STAGING.get();
        product(s, a, aOff, transA, m, k, b, bOff, transB, n, c, cOff, accumulate);
        s.c.getParallel(0, c, cOff, m * n);
    }

    /**
     * A linear layer's two backward products with the output gradient staged once: {@code dW[out, in] += dyᵀ x}
     * then {@code dx[rows, in] = dy w}, for {@code y[rows, out] = x[rows, in] · w[out, in]ᵀ} (a PyTorch
     * {@code Linear}, or a 1x1 convolution on channel-last pixels). The same floats as the two {@link
     * #multiply(float[], int, boolean, int, int, float[], int, boolean, int, float[], int, boolean)} calls in that
     * order; why: they staged {@code dy} twice, and staging is about a tenth of a training step's CPU time.
     *
     * @param dx may be {@code x} itself (x is read before dx is written)
     */
    static void linearBackward(float[] dy, int rows, int out, float[] x, int in, float[] w, float[] dW, float[] dx) {
        checkSizes(rows, out, in);
        check(dy, 0, (long) rows * out, "dy");
        check(x, 0, (long) rows * in, "x");
        check(w, 0, (long) out * in, "w");
        check(dW, 0, (long) out * in, "dW");
        check(dx, 0, (long) rows * in, "dx");
        Staging s = STAGING.get();
        s.b.stageParallel(x, 0, rows, in);
        linearBackwardStagedX(dy, rows, out, in, w, dW, dx);
    }

    /**
     * As {@link #linearBackward} with {@code x [rows, in]} already in this thread's staging buffer {@code b}
     * ({@link #staging()}), written there by a caller that makes it (a BatchNorm's output), not copied from the
     * heap; the same products, so the same floats.
     */
    static void linearBackwardStagedX(float[] dy, int rows, int out, int in, float[] w, float[] dW, float[] dx) {
        check(dy, 0, (long) rows * out, "dy");
        STAGING.get().a.ensure((long) rows * out).putParallel(0, dy, 0, rows * out);
        linearBackwardStaged(rows, out, in, w, dW, dx);
    }

    /**
     * As {@link #linearBackward} with {@code dy [rows, out]} already in this thread's staging buffer {@code a} and
     * {@code x [rows, in]} in {@code b} ({@link #staging()}), written there by callers that make them (a BatchNorm's
     * input gradient, its output); the same products, so the same floats.
     */
    static void linearBackwardStaged(int rows, int out, int in, float[] w, float[] dW, float[] dx) {
        checkSizes(rows, out, in);
        check(w, 0, (long) out * in, "w");
        check(dW, 0, (long) out * in, "dW");
        check(dx, 0, (long) rows * in, "dx");
        Staging s = STAGING.get();
        s.a.requireMatrix(0, rows, out);
        INDArray x = s.b.matrix(rows, in);
        productStaged(s, true, out, rows, x, false, in, dW, 0, true);
        s.c.getParallel(0, dW, 0, out * in);
        productStagedA(s, false, rows, out, w, 0, false, in, dx, 0, false);
        s.c.getParallel(0, dx, 0, rows * in);
    }

    /**
     * {@code c[m, n] = a[m, k] · b[n, k]ᵀ} with {@code a} already in this thread's staging buffer {@code a}
     * ({@link #staging()}), written there by a caller that makes it, not copied from the heap: the product and the
     * copy back of {@link #multiply(float[], int, int, int, float[], int, int, boolean, float[], int)}.
     */
    static void multiplyStagedA(int m, int k, float[] b, int n, float[] c, int cOff) {
        checkSizes(m, k, n);
        check(b, 0, (long) k * n, "b");
        check(c, cOff, (long) m * n, "c");
        Staging s = STAGING.get();
        s.a.requireMatrix(0, m, k);
        productStagedA(s, false, m, k, b, 0, true, n, c, cOff, false);
        s.c.getParallel(0, c, cOff, m * n);
    }

    /**
     * {@code c[m, n] = act((a[m, k] · b[n, k]ᵀ + bias) + residual)} (PyTorch {@code Linear}, then its skip connection
     * and activation): the bias, residual and activation are applied to each output row as it is copied back from
     * the staging buffer, through an offset-0 row (C2 vectorises it), so the output is written once instead of
     * copied and then read and written again. Same floats, in the same order, as {@link #multiply} followed by the
     * bias, residual and activation pass. The residual {@code [m, n]} is read from {@code residual[resOff...]};
     * {@code c} may be the residual itself at the same offset.
     *
     * @param bias     {@code [n]}, or null
     * @param residual {@code [m, n]} from {@code resOff}, or null
     */
    static void multiplyBiasActivation(float[] a, int aOff, int m, int k, float[] b, int n, float[] bias,
                                       float[] residual, int resOff, Activation act, float[] c, int cOff) {
        checkSizes(m, k, n);
        if (bias != null && bias.length != n) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + n);
        }
        check(a, aOff, (long) m * k, "a");
        check(b, 0, (long) k * n, "b");
        check(c, cOff, (long) m * n, "c");
        if (residual != null) {
            check(residual, resOff, (long) m * n, "residual");
        }
        Staging s = STAGING.get();
        product(s, a, aOff, false, m, k, b, 0, true, n, c, cOff, false);
        Epilogue.toHeap(s.c, m, n, bias, residual, resOff, act, c, cOff);
    }

    /**
     * Stages the operands (in parallel when large) and runs the product into the staged {@code c}: through
     * {@code Nd4j.gemm} (oneDNN) by blocks of rows ({@link RowParallelGemm}) or, with {@code transA}, in one call; or
     * OpenBLAS directly for a {@link #wide} product.
     */
    private static void product(Staging s, float[] a, int aOff, boolean transA, int m, int k, float[] b, int bOff,
                                    boolean transB, int n, float[] c, int cOff, boolean accumulate) {
        s.a.ensure((long) m * k).putParallel(0, a, aOff, m * k);
        productStagedA(s, transA, m, k, b, bOff, transB, n, c, cOff, accumulate);
    }

    /** As {@link #product} with {@code a} already in {@code s.a}. */
    private static void productStagedA(Staging s, boolean transA, int m, int k, float[] b, int bOff, boolean transB,
                                       int n, float[] c, int cOff, boolean accumulate) {
        INDArray sb = transB ? s.b.stageParallel(b, bOff, n, k) : s.b.stageParallel(b, bOff, k, n);
        productStaged(s, transA, m, k, sb, transB, n, c, cOff, accumulate);
    }

    /** As {@link #productStagedA} with {@code b} already in {@code s.b}, viewed as {@code sb}. */
    private static void productStaged(Staging s, boolean transA, int m, int k, INDArray sb, boolean transB, int n,
                                      float[] c, int cOff, boolean accumulate) {
        s.c.ensure((long) m * n);
        if (accumulate) {
            s.c.putParallel(0, c, cOff, m * n);
        }
        double beta = accumulate ? 1.0 : 0.0;
        if (wide(m, n)) {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                    1f, s.a.pointer(), transA ? m : k, s.b.pointer(), transB ? k : n, (float) beta, s.c.pointer(), n);
        } else if (transA) {
            Nd4j.gemm(s.a.matrix(k, m), sb, s.c.matrix(m, n), true, transB, 1.0, beta);
        } else {
            RowParallelGemm.multiply(s.a, m, k, sb, transB, n, s.c, beta);
        }
    }

    /**
     * Whether {@code [m, k] x [k, n]} has far more output columns than rows (a 1x1 convolution on channel-first
     * maps, {@code [C_out, C_in] x [C_in, H*W]}: the training pass's patch embedding; inference computes it
     * channel-last since 2026-12-05, {@link PatchEmbed}). Why: oneDNN's matmul ran such products
     * at 6 to 8 G multiply-adds/s where OpenBLAS's {@code cblas_sgemm} ran them at 15 to 25 (256x64x65536 and
     * 64x256x65536, 2-core Zen 1, 2026-12-04). The patch embedding took 0.018 to 0.026 s this way against 0.028 to
     * 0.036 s through oneDNN, and the MBConv stage after it, where OpenBLAS's idle threads could have slowed the
     * Java loops, took the same time either way (0.49 to 0.58 s; {@code CpuEncoderBenchmark}, three alternating
     * rounds per build, same host and day).
     */
    static boolean wide(int m, int n) {
        return n >= 16384 && n >= 8L * m;
    }

    /** {@code y[m, n] = x[m, k] · w[n, k]ᵀ + bias[n]} (PyTorch {@code Linear}); {@code bias} may be null. */
    public static void linear(float[] x, int m, int k, float[] w, float[] bias, int n, float[] y) {
        multiply(x, 0, m, k, w, 0, n, true, y, 0);
        if (bias != null) {
            if (bias.length != n) {
                throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + n);
            }
            for (int i = 0; i < m; i++) {
                int o = i * n;
                for (int j = 0; j < n; j++) {
                    y[o + j] += bias[j];
                }
            }
        }
    }

    private static void checkSizes(int m, int k, int n) {
        if (m <= 0 || n <= 0 || k <= 0) {
            throw new IllegalArgumentException("gemm sizes must be positive, got m=" + m + " k=" + k + " n=" + n);
        }
    }

    private static void check(float[] x, int off, long len, String name) {
        if (off < 0 || off + len > x.length) {
            throw new IllegalArgumentException("gemm operand " + name + " needs " + len + " values from offset " + off
                    + ", array has " + x.length);
        }
    }

    /**
     * This thread's staging buffers, lent to a caller on the same thread that chains products off-heap between
     * its calls here ({@link TinyVitMlpTraining}): they are the largest off-heap arrays a training pass grows (a
     * {@code [H*W, hidden]} map of the full-resolution stage each), so a second set would add that much to its
     * peak memory. Valid until this thread's next call of a {@code Gemm} method.
     */
    static Staging staging() {
        return STAGING.get();
    }

    /** One thread's staging buffers: {@code a} and {@code b} for the operands, {@code c} for the result. */
    static final class Staging {
        final NativeFloats a = new NativeFloats();
        final NativeFloats b = new NativeFloats();
        final NativeFloats c = new NativeFloats();
    }
}

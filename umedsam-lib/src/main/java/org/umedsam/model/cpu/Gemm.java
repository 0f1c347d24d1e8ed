package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-precision matrix product on heap arrays, computed by ND4J's native BLAS sgemm.
 *
 * <p>Why: the CPU forward pass keeps activations in Java {@code float[]} (element-wise work is
 * fastest there), while BLAS runs at about 260-290 GFLOP/s on this machine kind with 2 threads
 * (4096x320 by 320x1280, measured). Operands are copied into per-thread off-heap staging buffers,
 * which costs about 1-2 ns per float: small against the product for every shape the model uses.
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
        if (m <= 0 || n <= 0 || k <= 0) {
            throw new IllegalArgumentException("gemm sizes must be positive, got m=" + m + " k=" + k + " n=" + n);
        }
        check(a, aOff, (long) m * k, "a");
        check(b, bOff, (long) k * n, "b");
        check(c, cOff, (long) m * n, "c");
        Staging s = STAGING.get();
        INDArray sa = transA ? s.a.stage(a, aOff, k, m) : s.a.stage(a, aOff, m, k);
        INDArray sb = transB ? s.b.stage(b, bOff, n, k) : s.b.stage(b, bOff, k, n);
        INDArray sc = accumulate ? s.c.stage(c, cOff, m, n) : s.c.ensure((long) m * n).matrix(m, n);
        Nd4j.gemm(sa, sb, sc, transA, transB, 1.0, accumulate ? 1.0 : 0.0);
        s.c.get(0, c, cOff, m * n);
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

    private static void check(float[] x, int off, long len, String name) {
        if (off < 0 || off + len > x.length) {
            throw new IllegalArgumentException("gemm operand " + name + " needs " + len + " values from offset " + off
                    + ", array has " + x.length);
        }
    }

    private static final class Staging {
        final NativeFloats a = new NativeFloats();
        final NativeFloats b = new NativeFloats();
        final NativeFloats c = new NativeFloats();
    }
}

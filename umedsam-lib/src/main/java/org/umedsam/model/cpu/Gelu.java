package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;


/**
 * Exact (erf) GELU, PyTorch's {@code nn.GELU()} default: {@code gelu(x) = x/2 * (1 + erf(x/sqrt 2))}, on heap
 * arrays, without {@code Math.exp}.
 *
 * <p>erf follows Abramowitz & Stegun 7.1.28, {@code erf t = 1 - p^-16}, {@code p = 1 + a1 t + ... + a6 t^6} for
 * {@code t >= 0} (|error| <= 3e-7), extended by odd symmetry. Because erf is odd,
 * {@code x * erf(x/sqrt 2) = |x| * erf(|x|/sqrt 2)}, so GELU needs no sign: the loop body is straight-line
 * float arithmetic that C2 vectorises.
 *
 * <p>GELU evaluates {@code 1 - 1/p^16} as written, with {@code p^16} by four squarings and the polynomial in
 * Estrin's form: the erf that {@link #derivative(float)} differentiates, and a short dependency chain and no clamp (a large
 * {@code t} overflows {@code p^16} to infinity, so erf is 1). Near {@code t = 0} the subtraction cancels (erf
 * absolute error about 1e-6 there), but GELU multiplies erf by {@code |x|}, so its error stays within 2e-6
 * relative near 0 and 1e-6 absolute on {@code [-20, 20]} ({@code KernelsTest}). It took 1.65 ns per value
 * against 2.54 ns for the accurate form below (a 2-core first-generation Zen EPYC, 2026-12-04, one thread,
 * 64 K values, best of 200): the GELUs are about 8% of a decode's CPU time. With the Vector API's module,
 * {@link #applyBias} (and so {@link #apply}) runs {@link VectorGelu}: the same operations on whole vectors, the
 * same bits, about twice as fast.
 *
 * <p>{@link #erf} itself keeps the relatively accurate form: with {@code q = p - 1} (a polynomial without
 * constant term) it computes {@code Q / (1 + Q)}, {@code Q = p^16 - 1}, by four steps {@code q <- q (2 + q)}
 * (each is {@code (1+q)^2 - 1}), so erf stays within about 4e-7 near 0 too. Finite inputs only (an infinite
 * input gives NaN or infinity).
 */
public final class Gelu {

    static final float A1 = 0.0705230784f;
    static final float A2 = 0.0422820123f;
    static final float A3 = 0.0092705272f;
    static final float A4 = 0.0001520143f;
    static final float A5 = 0.0002765672f;
    static final float A6 = 0.0000430638f;
    static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    /** Beyond this, p^16 would overflow; erf is 1 to float precision long before (erfc 10 = 2e-45). */
    private static final float T_MAX = 10f;
    /** Elements per parallel task. */
    private static final int CHUNK = 1 << 15;

    private Gelu() {
    }

    /** erf(x) to about 1e-6 absolute. */
    public static float erf(float x) {
        float t = Math.min(Math.abs(x), T_MAX);
        return Math.copySign(erfPositive(t), x);
    }

    private static float erfPositive(float t) {
        float q = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * (A5 + t * A6)))));
        q = q * (2f + q);
        q = q * (2f + q);
        q = q * (2f + q);
        q = q * (2f + q);
        return q / (1f + q);
    }

    /** GELU of one value; {@link #applyBias} runs it per element, so the array paths give the same bits. */
    public static float gelu(float x) {
        float ax = Math.abs(x);
        float t = ax * INV_SQRT2;
        float t2 = t * t;
        float p = 1f + t * ((A1 + t * A2) + t2 * ((A3 + t * A4) + t2 * (A5 + t * A6)));
        p = p * p;
        p = p * p;
        p = p * p;
        p = p * p;
        return 0.5f * (x + ax * (1f - 1f / p));
    }

    /** {@code x[off .. off+len) = gelu(x)} in place, on the calling thread. */
    public static void apply(float[] x, int off, int len) {
        applyBias(x, off, len, 0f);
    }

    /**
     * Whether {@link #applyBias} and the derivative passes run {@link VectorGelu} (same bits; GELU about twice as
     * fast, its derivative several times): {@link VectorSupport#enabled()}, read once when this class loads.
     */
    private static final boolean VECTOR = VectorSupport.enabled();

    /** {@code x[off .. off+len) = gelu(x + bias)} in place, on the calling thread (a conv channel plus its bias). */
    public static void applyBias(float[] x, int off, int len, float bias) {
        if (VECTOR) {
            VectorGelu.applyBias(x, off, len, bias); // only loaded when the module is present
            return;
        }
        int end = off + len;
        for (int i = off; i < end; i++) {
            x[i] = gelu(x[i] + bias); // inlined by C2, then vectorised as if written out (measured the same speed)
        }
    }

    /**
     * GELU's derivative {@code Phi(x) + x phi(x)} at {@code x[off .. off+n)} into {@code grad[0, n)}, and
     * when {@code value} is not null {@link #gelu} into {@code value[0, n)} ({@code grad} may be {@code x}
     * when {@code off} is 0 and {@code value} is null). Differentiates this class's own erf
     * ({@code erf(u) = 1 - p(u)^-16}, {@code p = 1 + a1 u + ... + a6 u^6}, so
     * {@code erf'(u) = 16 p'(u) / p(u)^17}): no exp, no branch (the JIT vectorises it), within 1e-5 of
     * the exact {@code 2/sqrt(pi) exp(-u^2)}.
     */
    public static void derivative(float[] x, int off, int n, float[] value, float[] grad) {
        if (value == null) {
            if (grad == x && off == 0) {
                derivativeInPlace(x, 0, n);
                return;
            }
            if (VECTOR) {
                VectorGelu.derivative(x, off, grad, 0, n);
                return;
            }
            for (int i = 0; i < n; i++) {
                grad[i] = derivative(x[off + i]);
            }
            return;
        }
        if (VECTOR) {
            VectorGelu.valueAndDerivative(x, off, n, value, grad);
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            value[i] = gelu(v);
            grad[i] = derivative(v);
        }
    }

    /**
     * {@code x[off .. off+n) = GELU'(x)} in place. C2 vectorises this loop over one array (measured 1.5 to 4
     * against 8.5 to 9 ns per value), not the same loop reading one array and writing another.
     */
    public static void derivativeInPlace(float[] x, int off, int n) {
        if (VECTOR) {
            VectorGelu.derivative(x, off, x, off, n);
            return;
        }
        int end = off + n;
        for (int i = off; i < end; i++) {
            x[i] = derivative(x[i]);
        }
    }

    private static final int ROW = 1024;
    private static final ThreadLocal<float[][]> ROW_BUFFERS =
            ThreadLocal.withInitial(() -> new float[][]{new float[ROW], new float[ROW]});

    /**
     * {@code g[gOff + i] *= GELU'(x[xOff + i])} for {@code i < n}, on the calling thread: a backward pass through
     * GELU given its input. Works through two thread-local offset-0 rows (x's, then g's) so that both the
     * derivative and the product run in their vectorised form.
     */
    public static void multiplyByDerivative(float[] x, int xOff, float[] g, int gOff, int n) {
        if (VECTOR) {
            VectorGelu.multiplyByDerivative(x, xOff, g, gOff, n);
            return;
        }
        float[][] rows = ROW_BUFFERS.get();
        float[] row = rows[0];
        float[] gr = rows[1];
        for (int s = 0; s < n; s += ROW) {
            int len = Math.min(ROW, n - s);
            System.arraycopy(x, xOff + s, row, 0, len);
            derivativeInPlace(row, 0, len);
            int o = gOff + s;
            System.arraycopy(g, o, gr, 0, len);
            for (int i = 0; i < len; i++) {
                gr[i] *= row[i];
            }
            System.arraycopy(gr, 0, g, o, len);
        }
    }

    /** GELU's derivative at {@code v}, see {@link #derivative(float[], int, int, float[], float[])}. */
    public static float derivative(float v) {
        float a = Math.abs(v);
        // beyond 1e3, p^17 overflows to +inf (so erf' = 0) while p itself stays finite (so erf = 1)
        float u = Math.min(a * INV_SQRT2, 1e3f);
        float p = 1f + u * (A1 + u * (A2 + u * (A3 + u * (A4 + u * (A5 + u * A6)))));
        float dp = A1 + u * (2 * A2 + u * (3 * A3 + u * (4 * A4 + u * (5 * A5 + u * 6 * A6))));
        float p2 = p * p;
        float p4 = p2 * p2;
        float p8 = p4 * p4;
        float inv17 = 1f / (p8 * p8 * p); // 0 for |x| > ~25, where erf' = 0 is right
        float e = 1f - inv17 * p;
        // Phi(x) = (1 + erf(|x|/sqrt2) x/|x|) / 2; at x = 0, e = 0
        // dp * inv17 first: it is 0 wherever v * dp alone would overflow
        return 0.5f + 0.5f * e * (v / (a + 1e-30f)) + v * ((8f * INV_SQRT2) * (dp * inv17));
    }

    /** {@code x[0 .. len) = gelu(x)} in place, split over the engine's threads ({@link ChunkedParallel#forEach}). */
    public static void applyParallel(float[] x, int len) {
        int tasks = (len + CHUNK - 1) / CHUNK;
        ChunkedParallel.forEach(tasks, t -> {
            int off = t * CHUNK;
            apply(x, off, Math.min(CHUNK, len - off));
        });
    }
}

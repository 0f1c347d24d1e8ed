package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * Exact (erf) GELU, PyTorch's {@code nn.GELU()} default: {@code gelu(x) = x/2 * (1 + erf(x/sqrt 2))}, on heap
 * arrays, without {@code Math.exp}.
 *
 * <p>erf follows Abramowitz & Stegun 7.1.28, {@code erf t = 1 - (1 + a1 t + ... + a6 t^6)^-16} for
 * {@code t >= 0} (|error| <= 3e-7), extended by odd symmetry. Evaluated as written, {@code 1 - p^-16} cancels
 * near {@code t = 0} and float rounding of {@code p} alone costs up to 2e-6; so with {@code q = p - 1} (a
 * polynomial without constant term, accurate relative to itself) it is computed as {@code Q / (1 + Q)},
 * {@code Q = p^16 - 1}, by four steps {@code q <- q (2 + q)} (each is {@code (1+q)^2 - 1}): every step is
 * relatively accurate, so erf stays within about 4e-7. Because erf is odd,
 * {@code x * erf(x/sqrt 2) = |x| * erf(|x|/sqrt 2)}, so GELU needs no sign: the loop body is straight-line
 * float arithmetic that C2 vectorises. Finite inputs only (an infinite input gives NaN).
 */
public final class Gelu {

    private static final float A1 = 0.0705230784f;
    private static final float A2 = 0.0422820123f;
    private static final float A3 = 0.0092705272f;
    private static final float A4 = 0.0001520143f;
    private static final float A5 = 0.0002765672f;
    private static final float A6 = 0.0000430638f;
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
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

    /** GELU of one value. */
    public static float gelu(float x) {
        float ax = Math.abs(x);
        return 0.5f * (x + ax * erfPositive(Math.min(ax * INV_SQRT2, T_MAX)));
    }

    /** {@code x[off .. off+len) = gelu(x)} in place, on the calling thread. */
    public static void apply(float[] x, int off, int len) {
        applyBias(x, off, len, 0f);
    }

    /** {@code x[off .. off+len) = gelu(x + bias)} in place, on the calling thread (a conv channel plus its bias). */
    public static void applyBias(float[] x, int off, int len, float bias) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            float v = x[i] + bias;
            float ax = Math.abs(v);
            float t = Math.min(ax * INV_SQRT2, T_MAX);
            float q = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * (A5 + t * A6)))));
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            x[i] = 0.5f * (v + ax * (q / (1f + q)));
        }
    }

    /** {@code x[0 .. len) = gelu(x)} in place, split over the common pool. */
    public static void applyParallel(float[] x, int len) {
        int tasks = (len + CHUNK - 1) / CHUNK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int off = t * CHUNK;
            apply(x, off, Math.min(CHUNK, len - off));
        });
    }
}

package org.umedsam.model.cpu;

/**
 * {@code exp(x)} in float to about 2 ulp, several times faster than {@code Math.exp} in a loop (which costs
 * about 10 ns a value on this machine kind).
 *
 * <p>Range reduction {@code x = n ln2 + r}, {@code |r| <= ln2/2}, with ln2 split in a high and a low part
 * (Cody-Waite); {@code exp r} by its Taylor polynomial of degree 7 (truncation below 5e-9 relative);
 * {@code 2^n} assembled in the exponent bits. Inputs are clamped to {@code [-87, 88]}, so the result stays a
 * normal float: below {@code e^-87} (about 1.6e-38) the result is that floor, not 0.
 */
public final class FastExp {

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Inputs are clamped to at least this (shared with {@code VectorWindowAttention}'s vector form). */
    static final float X_MIN = -87f;
    private static final float X_MAX = 88f;
    static final float C2 = 1f / 2;
    static final float C3 = 1f / 6;
    static final float C4 = 1f / 24;
    static final float C5 = 1f / 120;
    static final float C6 = 1f / 720;
    private static final float C7 = 1f / 5040;

    private FastExp() {
    }

    /** exp(x). */
    public static float exp(float x) {
        x = Math.max(X_MIN, Math.min(X_MAX, x));
        float t = x * LOG2E;
        int n = (int) (t + (t >= 0 ? 0.5f : -0.5f));
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = 1f + r * (1f + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * C7))))));
        return p * Float.intBitsToFloat((n + 127) << 23);
    }

    /**
     * {@code exp(x)} for {@code x <= 0} (a softmax after subtracting the maximum), branch-free: rounding
     * {@code x log2 e} to the nearest integer is a truncation of {@code t - 1/2} since {@code t <= 0}
     * (positive inputs are wrong by up to 1e-5 relative).
     * Inputs below -87 give about 1.6e-38. (A float-only variant that C2 could vectorise, with 2^k from
     * min/max bit selection, compiled to code 30x slower on JDK 17, so this stays scalar.)
     */
    public static float expNonPositive(float x) {
        x = x < X_MIN ? X_MIN : x; // a predictable branch is cheaper than Math.max here
        int n = (int) (x * LOG2E - 0.5f);
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = 1f + r * (1f + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * C7))))));
        return p * Float.intBitsToFloat((n + 127) << 23);
    }

    /** Squarings in {@link #expNonPositiveVector}: {@code exp x = (exp(x / 128))^128}. */
    static final int SQUARINGS = 7;
    static final float INV_2_POW_SQUARINGS = 1f / (1 << SQUARINGS);

    /**
     * {@code x[i] = exp(x[i] - shift[i])} for {@code i < n}, where {@code x[i] <= shift[i]} (a softmax row minus
     * its maximum), as a loop C2 vectorises (about 1 ns a value against 8 for {@link #expNonPositive}, which
     * needs float-int conversions that C2 does not vectorise).
     *
     * <p>With {@code y = max(x - shift, -87) / 128} (so {@code -0.68 <= y <= 0}), {@code q = expm1(y)} by its
     * Taylor polynomial of degree 6 (truncation below 2e-7, and damped by the squarings), then seven steps
     * {@code q <- q (2 + q)}, each {@code (1 + q)^2 - 1}: {@code 1 + q = exp(x - shift)}. Squaring {@code 1 + q}
     * itself would multiply its rounding error by 128; on {@code q} each step is relatively accurate, so the
     * result stays within about 1.5e-7 absolute of the true value (measured), which is what a softmax needs:
     * its weights sum to at least 1. Not relatively accurate for small results (1e-5 at 0.01), and at least 0
     * (below {@code e^-87} it may be 0).
     */
    public static void expNonPositiveVector(float[] x, float[] shift, int n) {
        for (int i = 0; i < n; i++) {
            float y = Math.max(x[i] - shift[i], X_MIN) * INV_2_POW_SQUARINGS;
            float q = y * (1f + y * (C2 + y * (C3 + y * (C4 + y * (C5 + y * C6)))));
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            x[i] = 1f + q;
        }
    }

    /**
     * {@code x[off + i] = exp(scale (x[off + i] - shift))} for {@code i < n}, where {@code x <= shift} and
     * {@code scale > 0} (a scaled softmax row minus its maximum): {@link #expNonPositiveVector}'s method and
     * accuracy, on one array with one index (the form C2 vectorises).
     */
    static void expScaledVector(float[] x, int off, int n, float shift, float scale) {
        int end = off + n;
        for (int i = off; i < end; i++) {
            float y = Math.max((x[i] - shift) * scale, X_MIN) * INV_2_POW_SQUARINGS;
            float q = y * (1f + y * (C2 + y * (C3 + y * (C4 + y * (C5 + y * C6)))));
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            x[i] = 1f + q;
        }
    }

    /**
     * {@code x[i] = exp(scale (x[i] - shift[i]))} for {@code i < n}, where {@code x[i] <= shift[i]} and
     * {@code scale > 0}: as {@link #expNonPositiveVector} with a scale.
     */
    static void expScaledVector(float[] x, float[] shift, int n, float scale) {
        for (int i = 0; i < n; i++) {
            float y = Math.max((x[i] - shift[i]) * scale, X_MIN) * INV_2_POW_SQUARINGS;
            float q = y * (1f + y * (C2 + y * (C3 + y * (C4 + y * (C5 + y * C6)))));
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            q = q * (2f + q);
            x[i] = 1f + q;
        }
    }
}

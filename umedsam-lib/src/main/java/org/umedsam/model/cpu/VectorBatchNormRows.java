package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchNormTraining}'s channel-last passes over one pixel's {@code C} channels with the Vector API, a vector
 * of channels at a time: <b>the same float operations in the same order per channel</b> as the plain loops, so the
 * same bits (every sum here runs along pixels, one lane per channel, never across lanes). The statistics' plain sum
 * of each channel is {@link VectorGradientRows#addRow}.
 *
 * <p>Why: the plain loops copy each pixel's row of {@code x} and {@code dy} into offset-0 buffers and the result
 * back, because C2 vectorises a loop only when its arrays share one index; in a LiteMedSAM training step those
 * copies and loops took about 6 % of the CPU samples (2-core Zen 4, 2026-12-06). These read and write the maps in
 * place. Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}; with GELU and without are separate
 * methods, so no compiled vector loop meets a branch it has not seen.
 */
final class VectorBatchNormRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorBatchNormRows() {
    }

    /** Whether {@code channels} is a whole number of vectors. */
    static boolean supports(int channels) {
        return channels % L == 0;
    }

    /** {@code f[j] += (x[o + j] - mf[j])^2} for {@code j < channels}. */
    static void squaredDeviations(float[] f, float[] x, int o, float[] mf, int channels) {
        for (int j = 0; j < channels; j += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, o + j).sub(FloatVector.fromArray(SPECIES, mf, j));
            FloatVector.fromArray(SPECIES, f, j).add(d.mul(d)).intoArray(f, j);
        }
    }

    /** {@code y[o + j] = x[o + j] * a[j] + sh[j]} for {@code j < channels} ({@code y} may be {@code x}). */
    static void normalize(float[] x, float[] y, int o, float[] a, float[] sh, int channels) {
        normalize(x, o, y, o, a, sh, channels);
    }

    /** As {@link #normalize(float[], float[], int, float[], float[], int)} with {@code x} from {@code xo} and
     * {@code y} from {@code yo}. */
    static void normalize(float[] x, int xo, float[] y, int yo, float[] a, float[] sh, int channels) {
        for (int j = 0; j < channels; j += L) {
            FloatVector.fromArray(SPECIES, x, xo + j).mul(FloatVector.fromArray(SPECIES, a, j))
                    .add(FloatVector.fromArray(SPECIES, sh, j)).intoArray(y, yo + j);
        }
    }

    /**
     * The backward's first pass without GELU: {@code g = dy}, {@code dx[o + j] = g}, {@code fg[j] += g},
     * {@code fgx[j] += g ((x - m) is)}.
     */
    static void gradient(float[] x, float[] dy, float[] dx, int o, float[] m, float[] is, float[] fg, float[] fgx,
                         int channels) {
        for (int j = 0; j < channels; j += L) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, o + j);
            g.intoArray(dx, o + j);
            FloatVector.fromArray(SPECIES, fg, j).add(g).intoArray(fg, j);
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, o + j).sub(FloatVector.fromArray(SPECIES, m, j))
                    .mul(FloatVector.fromArray(SPECIES, is, j));
            FloatVector.fromArray(SPECIES, fgx, j).add(g.mul(xhat)).intoArray(fgx, j);
        }
    }

    /**
     * The backward's first pass through GELU: {@code g = dy GELU'(x a + sh)} ({@link VectorGelu#derivative},
     * the same bits as {@link Gelu#derivative(float)}), then as {@link #gradient}. The sums are written out here,
     * not in a shared helper: a helper taking a vector that C2 leaves out of line (it did, past its inlining
     * budget) boxes the vector on every call.
     */
    static void geluGradient(float[] x, float[] dy, float[] dx, int o, float[] a, float[] sh, float[] m, float[] is,
                             float[] fg, float[] fgx, int channels) {
        for (int j = 0; j < channels; j += L) {
            FloatVector xj = FloatVector.fromArray(SPECIES, x, o + j);
            FloatVector z = xj.mul(FloatVector.fromArray(SPECIES, a, j)).add(FloatVector.fromArray(SPECIES, sh, j));
            FloatVector g = FloatVector.fromArray(SPECIES, dy, o + j).mul(VectorGelu.derivative(z));
            g.intoArray(dx, o + j);
            FloatVector.fromArray(SPECIES, fg, j).add(g).intoArray(fg, j);
            FloatVector xhat = xj.sub(FloatVector.fromArray(SPECIES, m, j)).mul(FloatVector.fromArray(SPECIES, is, j));
            FloatVector.fromArray(SPECIES, fgx, j).add(g.mul(xhat)).intoArray(fgx, j);
        }
    }

    /** The backward's second pass: {@code dx = c1 dx - c0 - c2 ((x - m) is)} per channel. */
    static void inputGradient(float[] x, float[] dx, int o, float[] c0, float[] c1, float[] c2, float[] m,
                              float[] is, int channels) {
        inputGradient(x, o, dx, o, c0, c1, c2, m, is, channels);
    }

    /** As {@link #inputGradient(float[], float[], int, float[], float[], float[], float[], float[], int)} with
     * {@code x} from {@code xo} and {@code dx} from {@code dxo}. */
    static void inputGradient(float[] x, int xo, float[] dx, int dxo, float[] c0, float[] c1, float[] c2, float[] m,
                              float[] is, int channels) {
        for (int j = 0; j < channels; j += L) {
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, xo + j).sub(FloatVector.fromArray(SPECIES, m, j))
                    .mul(FloatVector.fromArray(SPECIES, is, j));
            FloatVector.fromArray(SPECIES, c1, j).mul(FloatVector.fromArray(SPECIES, dx, dxo + j))
                    .sub(FloatVector.fromArray(SPECIES, c0, j))
                    .sub(FloatVector.fromArray(SPECIES, c2, j).mul(xhat)).intoArray(dx, dxo + j);
        }
    }
}

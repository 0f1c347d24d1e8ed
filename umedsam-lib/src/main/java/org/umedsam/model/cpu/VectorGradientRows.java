package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-row passes of training's backward with the Vector API, reading and writing the rows in place: a row added
 * into column sums (bias gradients, BatchNorm's statistics) and LayerNorm's backward over one row.
 *
 * <p>Why: the plain loops index two arrays with different offsets, which C2 does not vectorise, and sum a row's
 * values one at a time; in a LiteMedSAM training step the bias gradients and LayerNorm backwards took about 2.5 %
 * of the CPU samples (2-core Zen 4, 2026-12-06). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 *
 * <p>Numerics: {@link #addRow} is the plain loop's operation per column, the same bits. {@link #layerNormBackward}
 * sums a row lane by lane and then the lanes in index order (not {@code reduceLanes}, whose order the API leaves
 * open, so a row gives the same bits interpreted and compiled): another order than the plain loop's, a few ulp
 * apart; its per-column weight and bias gradients are the plain loop's operations.
 */
final class VectorGradientRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorGradientRows() {
    }

    /** Whether rows of {@code n} values are a whole number of vectors. */
    static boolean supports(int n) {
        return n % L == 0;
    }

    /** {@code sums[j] += x[o + j]} for {@code j < n}. */
    static void addRow(float[] sums, float[] x, int o, int n) {
        for (int j = 0; j < n; j += L) {
            FloatVector.fromArray(SPECIES, sums, j).add(FloatVector.fromArray(SPECIES, x, o + j)).intoArray(sums, j);
        }
    }

    /**
     * LayerNorm's backward over row {@code dy[o, o + dim)} in place, as {@code DecoderGradientKernels
     * .layerNormBackward}: {@code dw += dy xhat}, {@code db += dy}, then {@code dy = inv (dy w - mean(dy w)
     * - xhat mean(dy w xhat))}.
     *
     * @param lanes scratch of at least {@code 2 * L} values
     */
    static void layerNormBackward(float[] dy, float[] xhat, int o, int dim, float[] w, float inv, float[] dw,
                                  float[] db, float[] lanes) {
        FloatVector sg = FloatVector.zero(SPECIES);
        FloatVector sgx = FloatVector.zero(SPECIES);
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, dy, o + i);
            FloatVector h = FloatVector.fromArray(SPECIES, xhat, o + i);
            FloatVector.fromArray(SPECIES, dw, i).add(d.mul(h)).intoArray(dw, i);
            FloatVector.fromArray(SPECIES, db, i).add(d).intoArray(db, i);
            FloatVector gi = d.mul(FloatVector.fromArray(SPECIES, w, i));
            sg = sg.add(gi);
            sgx = sgx.add(gi.mul(h));
        }
        sg.intoArray(lanes, 0);
        sgx.intoArray(lanes, L);
        float sumG = 0;
        float sumGx = 0;
        for (int j = 0; j < L; j++) {
            sumG += lanes[j];
            sumGx += lanes[L + j];
        }
        float mg = sumG / dim;
        float mgx = sumGx / dim;
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, dy, o + i);
            FloatVector h = FloatVector.fromArray(SPECIES, xhat, o + i);
            d.mul(FloatVector.fromArray(SPECIES, w, i)).sub(mg).sub(h.mul(mgx)).mul(inv).intoArray(dy, o + i);
        }
    }

    /** Float lanes of a vector here, for the size of {@link #layerNormBackward}'s scratch. */
    static int lanes() {
        return L;
    }
}

package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-row passes of training's backward with the Vector API, reading and writing the rows in place: a row added
 * into column sums (bias gradients, BatchNorm's statistics) and LayerNorm's backward over one row.
 *
 * <p>Why: the plain loops index two arrays with different offsets, which C2 does not vectorise; in a LiteMedSAM
 * training step the bias gradients and LayerNorm backwards took about 2.5 % of the CPU samples (2-core Zen 4,
 * 2026-12-06). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 *
 * <p>Numerics: the plain loops' operations in their order, so the same bits: {@link #addRow} per column, and
 * {@link #layerNormBackward}, whose row sums the plain loop runs as sixteen partial sums, as lanes do.
 */
final class VectorGradientRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorGradientRows() {
    }

    /** Whether rows of {@code n} values are a whole number of vectors ({@link #addRow}). */
    static boolean supports(int n) {
        return n % L == 0;
    }

    /**
     * Whether {@link #layerNormBackward} takes rows of {@code dim} values: a whole number of {@code ROW_PARTIALS},
     * with vectors no wider than that.
     */
    static boolean supportsLayerNorm(int dim) {
        int p = DecoderGradientKernels.ROW_PARTIALS;
        return dim % p == 0 && p % L == 0;
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
     * - xhat mean(dy w xhat))}, the two means from {@code ROW_PARTIALS} partial sums in {@code partial} (value
     * {@code i} into partial {@code i mod 16}), then the partials in index order: the plain loop's bits.
     *
     * @param partial scratch of {@code 2 * ROW_PARTIALS} values
     */
    static void layerNormBackward(float[] dy, float[] xhat, int o, int dim, float[] w, float inv, float[] dw,
                                  float[] db, float[] partial) {
        int p = DecoderGradientKernels.ROW_PARTIALS;
        java.util.Arrays.fill(partial, 0f);
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, dy, o + i);
            FloatVector h = FloatVector.fromArray(SPECIES, xhat, o + i);
            FloatVector.fromArray(SPECIES, dw, i).add(d.mul(h)).intoArray(dw, i);
            FloatVector.fromArray(SPECIES, db, i).add(d).intoArray(db, i);
            FloatVector gi = d.mul(FloatVector.fromArray(SPECIES, w, i));
            int j = i % p;
            FloatVector.fromArray(SPECIES, partial, j).add(gi).intoArray(partial, j);
            FloatVector.fromArray(SPECIES, partial, p + j).add(gi.mul(h)).intoArray(partial, p + j);
        }
        float mg = DecoderGradientKernels.partialSum(partial, 0) / dim;
        float mgx = DecoderGradientKernels.partialSum(partial, p) / dim;
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, dy, o + i);
            FloatVector h = FloatVector.fromArray(SPECIES, xhat, o + i);
            d.mul(FloatVector.fromArray(SPECIES, w, i)).sub(mg).sub(h.mul(mgx)).mul(inv).intoArray(dy, o + i);
        }
    }

}

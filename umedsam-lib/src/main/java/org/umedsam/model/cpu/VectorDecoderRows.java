package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The mask decoder's per-row passes over its off-heap activations ({@link NativeFloats#bytes()}) with the Vector
 * API, read and written in place: the transformer blocks' residual LayerNorm ({@link #residualNorm}), the
 * up-scaler's first-stage bias, LayerNorm2d and GELU ({@link #biasNormGelu}), and the mask product
 * ({@link #maskPixel}).
 *
 * <p>Why: the plain-Java passes copy each row to the heap and back (the decoder's bulk copies were about an eighth
 * of a 1-box decode's CPU time, 2026-12-06, {@code perf}) and sum the LayerNorm's mean and variance one value at a
 * time (C2 does not vectorise a float sum, whose order would change).
 *
 * <p>Numerics: the sums (a LayerNorm's mean and variance, a mask value's dot product) run lane-wise, with fused
 * multiply-adds, and then across lanes: another order and rounding than the plain passes (a few ulp on a LayerNorm
 * row, as {@link VectorLayerNorm}; within 1e-5 on the masks, tested). Everything else is the same float operations
 * in the same order, and GELU is {@link VectorGelu} (bit for bit {@link Gelu#gelu}). Each row or pixel is computed
 * alone, so a box decodes to the same bits alone as in a batch. The LayerNorm's variance and output are
 * {@link VectorLayerNorm}'s. Needs every row width to be a whole number of vectors ({@link VectorLayerNorm#supports});
 * loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 */
final class VectorDecoderRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorDecoderRows() {
    }

    /**
     * Row {@code r} of the residual LayerNorm: {@code keys[r] = LN(in[r] + (attn[r] + bias))}, then
     * {@code keysPe[r] = keys[r] + pe[r]}; {@code in} is {@code src} when not null (the first block), else
     * {@code keys} itself. Rows are {@code e} wide.
     *
     * @param row scratch of at least {@code e} values
     */
    static void residualNorm(float[] src, ByteBuffer keys, ByteBuffer attn, int r, int e, float[] bias, float[] w,
                             float[] b, float eps, float[] pe, ByteBuffer keysPe, float[] row) {
        int o = r * e;
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int i = 0; i < e; i += L) {
            FloatVector in = src != null ? FloatVector.fromArray(SPECIES, src, o + i)
                    : FloatVector.fromByteBuffer(SPECIES, keys, 4 * (o + i), ORDER);
            FloatVector a = in.add(FloatVector.fromByteBuffer(SPECIES, attn, 4 * (o + i), ORDER)
                    .add(FloatVector.fromArray(SPECIES, bias, i)));
            a.intoArray(row, i);
            sum = sum.add(a);
        }
        float mean = sum.reduceLanes(VectorOperators.ADD) / e;
        float iv = VectorLayerNorm.inverseDeviation(row, 0, e, mean, eps);
        for (int i = 0; i < e; i += L) {
            FloatVector y = VectorLayerNorm.normalised(row, 0, i, mean, iv, w, b);
            y.intoByteBuffer(keys, 4 * (o + i), ORDER);
            y.add(FloatVector.fromArray(SPECIES, pe, o + i)).intoByteBuffer(keysPe, 4 * (o + i), ORDER);
        }
    }

    /**
     * Row {@code r} ({@code c} wide) of {@code y}, in place: {@code y[r] = GELU(LN(y[r] + bias))}.
     *
     * @param row scratch of at least {@code c} values
     */
    static void biasNormGelu(ByteBuffer y, int r, int c, float[] bias, float[] w, float[] b, float eps, float[] row) {
        int o = r * c;
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int i = 0; i < c; i += L) {
            FloatVector a = FloatVector.fromByteBuffer(SPECIES, y, 4 * (o + i), ORDER)
                    .add(FloatVector.fromArray(SPECIES, bias, i));
            a.intoArray(row, i);
            sum = sum.add(a);
        }
        float mean = sum.reduceLanes(VectorOperators.ADD) / c;
        float iv = VectorLayerNorm.inverseDeviation(row, 0, c, mean, eps);
        for (int i = 0; i < c; i += L) {
            VectorGelu.gelu(VectorLayerNorm.normalised(row, 0, i, mean, iv, w, b))
                    .intoByteBuffer(y, 4 * (o + i), ORDER);
        }
    }

    /**
     * One grid pixel's mask values: its {@code 16} sub-pixels' features {@code z [16, c2]} (from float index
     * {@code pixel * 16 * c2} of {@code features}) get {@code GELU(z + b2)}, and sub-pixel {@code s}'s value for mask
     * {@code kk} is {@code hyper[kk] . gelu(z[s])}, into {@code d[kk * 16 + s]}.
     *
     * @param z scratch of at least {@code 16 * c2} values
     */
    static void maskPixel(ByteBuffer features, int pixel, int c2, float[] b2, float[] hyper, int k, float[] z,
                          float[] d) {
        int block = 16 * c2;
        int o = pixel * block;
        for (int s = 0; s < 16; s++) {
            for (int i = 0; i < c2; i += L) {
                VectorGelu.gelu(FloatVector.fromByteBuffer(SPECIES, features, 4 * (o + s * c2 + i), ORDER)
                        .add(FloatVector.fromArray(SPECIES, b2, i))).intoArray(z, s * c2 + i);
            }
        }
        for (int kk = 0; kk < k; kk++) {
            int ho = kk * c2;
            for (int s = 0; s < 16; s++) {
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int i = 0; i < c2; i += L) {
                    acc = FloatVector.fromArray(SPECIES, z, s * c2 + i)
                            .fma(FloatVector.fromArray(SPECIES, hyper, ho + i), acc);
                }
                d[kk * 16 + s] = acc.reduceLanes(VectorOperators.ADD);
            }
        }
    }
}

package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link LayerNorm}'s row {@code y = (x - mean) / sqrt(var + eps) * w + b} (biased variance) with the Vector API,
 * read from a heap row and written by vector stores into native memory, where the product that follows reads it.
 *
 * <p>Numerics: the mean and the variance are summed lane-wise and then across lanes, a different order than
 * {@link LayerNorm}'s four partial sums, so results differ from it by rounding (a test checks 1e-5 on
 * unit-variance rows); the rest is the same float operations. Needs {@code dim} to be a whole number of vectors
 * ({@link #supports}). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 *
 * <p>Why: C2 does not vectorise a float sum (its order would change), so the scalar row sums one value at a time,
 * then a second pass copies the row off-heap; here each row is read twice and written once.
 */
final class VectorLayerNorm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorLayerNorm() {
    }

    /** Whether rows of {@code dim} values are whole vectors. */
    static boolean supports(int dim) {
        return dim % L == 0;
    }

    /** Row {@code x[xOff, xOff + dim)} normalised into {@code y} from float index {@code yIndex}. */
    static void row(float[] x, int xOff, int dim, float[] w, float[] b, float eps, ByteBuffer y, int yIndex) {
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int i = 0; i < dim; i += L) {
            sum = sum.add(FloatVector.fromArray(SPECIES, x, xOff + i));
        }
        float mean = sum.reduceLanes(VectorOperators.ADD) / dim;
        float iv = inverseDeviation(x, xOff, dim, mean, eps);
        for (int i = 0; i < dim; i += L) {
            normalised(x, xOff, i, mean, iv, w, b).intoByteBuffer(y, 4 * (yIndex + i), ORDER);
        }
    }

    /**
     * {@code 1 / sqrt(mean((x - mean)^2) + eps)} over {@code x[xOff, xOff + dim)}, the squares summed lane-wise by
     * fused multiply-adds; also for {@link VectorDecoderRows}, whose passes sum the mean while they make the row.
     */
    static float inverseDeviation(float[] x, int xOff, int dim, float mean, float eps) {
        FloatVector squares = FloatVector.zero(SPECIES);
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean);
            squares = d.fma(d, squares);
        }
        return (float) (1.0 / Math.sqrt(squares.reduceLanes(VectorOperators.ADD) / dim + eps));
    }

    /** Values {@code i ..} of the normalised row, one vector: {@code (x[xOff + i ..] - mean) iv w[i ..] + b[i ..]}. */
    static FloatVector normalised(float[] x, int xOff, int i, float mean, float iv, float[] w, float[] b) {
        return FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean).mul(iv).mul(FloatVector.fromArray(SPECIES, w, i))
                .add(FloatVector.fromArray(SPECIES, b, i));
    }
}

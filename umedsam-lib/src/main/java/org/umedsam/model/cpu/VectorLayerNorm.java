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
        FloatVector squares = FloatVector.zero(SPECIES);
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean);
            squares = d.fma(d, squares);
        }
        float iv = (float) (1.0 / Math.sqrt(squares.reduceLanes(VectorOperators.ADD) / dim + eps));
        for (int i = 0; i < dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean);
            d.mul(iv).mul(FloatVector.fromArray(SPECIES, w, i)).add(FloatVector.fromArray(SPECIES, b, i))
                    .intoByteBuffer(y, 4 * (yIndex + i), ORDER);
        }
    }
}

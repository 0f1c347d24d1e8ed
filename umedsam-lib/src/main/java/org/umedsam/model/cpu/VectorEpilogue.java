package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link Epilogue}'s rows with the Vector API: {@code act((y + bias) + residual)} in one pass over a row, read
 * from the off-heap product by vector loads and written by vector stores, with the same float operations in the
 * same order as the scalar passes (so the same bits; {@link VectorGelu} for GELU). {@link Epilogue} finishes a
 * row's last values, fewer than a vector, with its scalar passes.
 *
 * <p>Why: the scalar rows copy each row to the heap, then add the bias, copy and add the residual, apply the
 * activation and copy the row out, five passes over rows of 64 to 1280 values; here each value is loaded and
 * stored once. Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 */
final class VectorEpilogue {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorEpilogue() {
    }

    /** The values of a row of {@code n} that whole vectors cover. */
    static int wholeVectors(int n) {
        return n - n % L;
    }

    /**
     * {@code act((y + bias) + residual)} for the {@code len} values (a multiple of the lane count) of {@code y}
     * from float index {@code index}, bias and residual from their index 0 and {@code resOff}, into
     * {@code out[outOff, outOff + len)} (a heap array), or back into {@code y} when {@code out} is null.
     */
    static void row(ByteBuffer y, int index, int len, float[] bias, float[] residual, int resOff, Activation act,
                    float[] out, int outOff) {
        for (int j = 0; j < len; j += L) {
            int byteIndex = 4 * (index + j);
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, y, byteIndex, ORDER);
            if (bias != null) {
                v = v.add(FloatVector.fromArray(SPECIES, bias, j));
            }
            if (residual != null) {
                v = v.add(FloatVector.fromArray(SPECIES, residual, resOff + j));
            }
            if (act == Activation.GELU) {
                v = VectorGelu.gelu(v);
            } else if (act == Activation.RELU) {
                v = v.max(0f);
            }
            if (out != null) {
                v.intoArray(out, outOff + j);
            } else {
                v.intoByteBuffer(y, byteIndex, ORDER);
            }
        }
    }
}

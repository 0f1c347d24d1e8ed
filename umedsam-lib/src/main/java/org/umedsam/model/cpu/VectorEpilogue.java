package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link Epilogue}'s rows with the Vector API: {@code act((y + bias) + residual)} in one pass over a row, read
 * from the off-heap product by vector loads and written by vector stores, with the same float operations in the
 * same order as the scalar passes (so the same bits; {@link VectorGelu} for GELU). A tail shorter than a vector
 * goes through {@code scratch} and the scalar passes.
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

    /**
     * Row {@code r} of {@code y [m, n]}: {@code act((y + bias) + residual)} into {@code out[outOff, outOff + n)}
     * (a heap array), or back into {@code y} when {@code out} is null.
     *
     * @param scratch a row of at least {@code n} floats for the tail
     */
    static void row(ByteBuffer y, int r, int n, float[] bias, float[] residual, int resOff, Activation act,
                    float[] out, int outOff, float[] scratch) {
        long base = 4L * r * n;
        int j = 0;
        for (; j + L <= n; j += L) {
            int byteIndex = (int) (base + 4L * j);
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
        if (j < n) {
            int tail = n - j;
            int index = r * n + j;
            for (int i = 0; i < tail; i++) {
                scratch[i] = y.getFloat(4 * (index + i));
            }
            if (bias != null) {
                for (int i = 0; i < tail; i++) {
                    scratch[i] += bias[j + i];
                }
            }
            if (residual != null) {
                for (int i = 0; i < tail; i++) {
                    scratch[i] += residual[resOff + j + i];
                }
            }
            act.apply(scratch, 0, tail);
            for (int i = 0; i < tail; i++) {
                if (out != null) {
                    out[outOff + j + i] = scratch[i];
                } else {
                    y.putFloat(4 * (index + i), scratch[i]);
                }
            }
        }
    }
}

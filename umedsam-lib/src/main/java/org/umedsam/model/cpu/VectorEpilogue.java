package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@link Epilogue}'s rows with the Vector API: {@code act((y + bias) + residual)} in one pass over a row, read
 * from the off-heap product by vector loads and written by vector stores, with the same float operations in the
 * same order as the scalar passes (so the same bits; {@link VectorGelu} for GELU). {@link Epilogue} finishes a
 * row's last values, fewer than a vector, with its scalar passes.
 *
 * <p>Why: the scalar rows copy each row to the heap, then add the bias, copy and add the residual, apply the
 * activation and copy the row out, five passes over rows of 64 to 1280 values; here each value is loaded and
 * stored once. Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 *
 * <p>Why one loop per activation and destination, with no test inside: C2 compiles a branch that its profile has
 * never seen taken as an uncommon trap. A single loop that tested for a bias, a residual, the activation and the
 * destination trapped in every JVM once a later layer took a new path (a decoder's ReLU after the encoder's
 * layers); the loop, inlined into its caller, then ran in the interpreter or in C1 code, where each vector is an
 * object, until C2 compiled it again (seconds under load; some JVMs allocated 0.2 to 1 GB an embedding). Here the
 * choice is made once per row by {@link #toHeap} and {@link #inPlace}, and a missing bias or residual is a row of
 * {@code -0f}, the exact additive identity ({@code x + -0f == x} bit for bit, {@code -0f} included), so the loops
 * have no branch but their own bound.
 */
final class VectorEpilogue {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** A row of {@code -0f}: the bias or residual that adds nothing; grown, never shrunk, when longer is asked. */
    private static volatile float[] identity = identityRow(1280);

    private VectorEpilogue() {
    }

    /** The values of a row of {@code n} that whole vectors cover. */
    static int wholeVectors(int n) {
        return n - n % L;
    }

    /** {@code values} (a bias or residual), or a row of at least {@code n} {@code -0f} when it is null. */
    static float[] orIdentity(float[] values, int n) {
        return values != null ? values : identity(n);
    }

    /** At least {@code n} values of {@code -0f} (read only). */
    static float[] identity(int n) {
        float[] row = identity;
        if (row.length < n) {
            row = identityRow(n);
            identity = row;
        }
        return row;
    }

    private static float[] identityRow(int n) {
        float[] row = new float[n];
        Arrays.fill(row, -0f);
        return row;
    }

    /**
     * {@code out[outOff, outOff + len) = act((y + bias) + residual)} for the {@code len} values (a multiple of the
     * lane count) of {@code y} from float index {@code index}; bias from index 0 and residual from {@code resOff},
     * neither null ({@link #orIdentity}).
     */
    static void toHeap(ByteBuffer y, int index, int len, float[] bias, float[] residual, int resOff, Activation act,
                       float[] out, int outOff) {
        if (act == Activation.GELU) {
            toHeapGelu(y, index, len, bias, residual, resOff, out, outOff);
        } else if (act == Activation.RELU) {
            toHeapRelu(y, index, len, bias, residual, resOff, out, outOff);
        } else {
            toHeapNone(y, index, len, bias, residual, resOff, out, outOff);
        }
    }

    /** {@code y[index, index + len) = act(y + bias)} in place (len a multiple of the lane count; bias not null). */
    static void inPlace(ByteBuffer y, int index, int len, float[] bias, Activation act) {
        if (act == Activation.GELU) {
            inPlaceGelu(y, index, len, bias);
        } else if (act == Activation.RELU) {
            inPlaceRelu(y, index, len, bias);
        } else {
            inPlaceNone(y, index, len, bias);
        }
    }

    private static FloatVector sum(ByteBuffer y, int index, int j, float[] bias, float[] residual, int resOff) {
        return FloatVector.fromByteBuffer(SPECIES, y, 4 * (index + j), ORDER)
                .add(FloatVector.fromArray(SPECIES, bias, j))
                .add(FloatVector.fromArray(SPECIES, residual, resOff + j));
    }

    private static FloatVector sum(ByteBuffer y, int index, int j, float[] bias) {
        return FloatVector.fromByteBuffer(SPECIES, y, 4 * (index + j), ORDER)
                .add(FloatVector.fromArray(SPECIES, bias, j));
    }

    private static void toHeapGelu(ByteBuffer y, int index, int len, float[] bias, float[] residual, int resOff,
                                   float[] out, int outOff) {
        for (int j = 0; j < len; j += L) {
            VectorGelu.gelu(sum(y, index, j, bias, residual, resOff)).intoArray(out, outOff + j);
        }
    }

    private static void toHeapRelu(ByteBuffer y, int index, int len, float[] bias, float[] residual, int resOff,
                                   float[] out, int outOff) {
        for (int j = 0; j < len; j += L) {
            sum(y, index, j, bias, residual, resOff).max(0f).intoArray(out, outOff + j);
        }
    }

    private static void toHeapNone(ByteBuffer y, int index, int len, float[] bias, float[] residual, int resOff,
                                   float[] out, int outOff) {
        for (int j = 0; j < len; j += L) {
            sum(y, index, j, bias, residual, resOff).intoArray(out, outOff + j);
        }
    }

    private static void inPlaceGelu(ByteBuffer y, int index, int len, float[] bias) {
        for (int j = 0; j < len; j += L) {
            VectorGelu.gelu(sum(y, index, j, bias)).intoByteBuffer(y, 4 * (index + j), ORDER);
        }
    }

    private static void inPlaceRelu(ByteBuffer y, int index, int len, float[] bias) {
        for (int j = 0; j < len; j += L) {
            sum(y, index, j, bias).max(0f).intoByteBuffer(y, 4 * (index + j), ORDER);
        }
    }

    private static void inPlaceNone(ByteBuffer y, int index, int len, float[] bias) {
        for (int j = 0; j < len; j += L) {
            sum(y, index, j, bias).intoByteBuffer(y, 4 * (index + j), ORDER);
        }
    }
}

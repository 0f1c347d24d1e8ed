package org.umedsam.model.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;

/**
 * Heap results handed to callers as ND4J arrays.
 *
 * <p>Why not {@code Nd4j.create(float[], shape, 'c')}: in ND4J M2.1 it copies value by value through the buffer's
 * indexer ({@code BaseDataBuffer.put(long, float)}), which showed in a profile of the encoder (about 2 ms for an
 * embedding's million values); one bulk copy into an uninitialised array does the same in a fraction of that.
 */
final class NdArrays {

    private NdArrays() {
    }

    /** The first {@code len} values of {@code a} as a new c-order float array of {@code shape}. */
    static INDArray fromHeap(float[] a, int len, long... shape) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        if (out.length() != len) {
            throw new IllegalArgumentException(len + " values do not fill shape " + java.util.Arrays.toString(shape));
        }
        out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().put(a, 0, len);
        return out;
    }
}

package org.umedsam.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Float arrays moved between the Java heap and ND4J by one bulk copy each way.
 *
 * <p>Why not {@code Nd4j.create(float[], shape, 'c')} and {@code data().asFloat()}: in ND4J M2.1 both copy value by
 * value through the buffer's indexer ({@code BaseDataBuffer.put(long, float)} and its {@code get}). The first showed
 * in a profile of the encoder (about 2 ms for an embedding's million values); the second took 12 to 13 ms for the
 * decoder's 16 masks of {@code [256, 256]} in a process's first two calls and about 1 ms only from the fourth, once
 * compiled, against 0.5 to 1.1 ms for the bulk copy after its first call (a probe, fresh JVM, Zen 5, 2026-12-05). A
 * process's first large images make only two such calls each (16 boxes, then the rest).
 */
public final class NdArrays {

    private NdArrays() {
    }

    /** The first {@code len} values of {@code a} as a new c-order float array of {@code shape}. */
    public static INDArray fromHeap(float[] a, int len, long... shape) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        if (out.length() != len) {
            throw new IllegalArgumentException(len + " values do not fill shape " + java.util.Arrays.toString(shape));
        }
        if (len == 0) {
            return out; // an empty array has no buffer to write
        }
        floats(out).put(a, 0, len);
        return out;
    }

    /**
     * {@code a}'s buffer as floats in native byte order, a view and not a copy: for an array that passes
     * {@link #wholeFloatBuffer} (or was just made in c order), index {@code i} is its value {@code i} in c order.
     */
    public static FloatBuffer floats(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Whether {@code a}'s values are its whole float32 buffer in c order (readable in bulk as they are); false for an
     * empty array, which has no buffer.
     */
    public static boolean wholeFloatBuffer(INDArray a) {
        return a.dataType() == DataType.FLOAT && !a.isEmpty() && a.ordering() == 'c' && !a.isView() && a.offset() == 0
                && a.data().length() == a.length();
    }

    /**
     * {@code a}'s values in c order as a new heap array, as {@code a.data().asFloat()} gives them for an array that
     * passes {@link #wholeFloatBuffer}; any other array is first cast and copied to one (closed after).
     */
    public static float[] toHeap(INDArray a) {
        return toHeap(a, null);
    }

    /**
     * As {@link #toHeap(INDArray)}, into {@code reuse} when it has exactly {@code a}'s length (else into a new array):
     * for callers that convert arrays of one size again and again and own the old copy.
     */
    public static float[] toHeap(INDArray a, float[] reuse) {
        if (a.isEmpty()) {
            return new float[0]; // no buffer to read
        }
        INDArray c = wholeFloatBuffer(a) ? a : a.castTo(DataType.FLOAT).dup('c');
        long n = c.length();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " values do not fit a Java array");
        }
        float[] out = reuse != null && reuse.length == n ? reuse : new float[(int) n];
        floats(c).get(out);
        if (c != a) {
            c.close();
        }
        return out;
    }
}

package org.umedsam.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.NpyArray;
import org.umedsam.model.NdArrays;

/**
 * A model's and optimizer's state arrays in checkpoints and initial weights: exact conversions between INDArrays and
 * NumPy arrays (float32, float64, int64, int32; float32 by one bulk copy each way, {@link NdArrays}), and
 * shape-checked assignment into live arrays.
 */
final class StateArrays {
    private StateArrays() {
    }

    static NpyArray toNpy(INDArray a) {
        long[] ls = a.shape();
        int[] shape = new int[Math.max(ls.length, 1)];
        if (ls.length == 0) {
            shape[0] = 1; // scalars are stored as [1]
        }
        for (int i = 0; i < ls.length; i++) {
            shape[i] = Math.toIntExact(ls[i]);
        }
        return switch (a.dataType()) {
            case FLOAT -> NpyArray.ofFloat32(NdArrays.toHeap(a), shape); // c order, any view, one copy
            case DOUBLE -> NpyArray.ofFloat64(a.dup('c').data().asDouble(), shape);
            case LONG -> NpyArray.ofInt64(a.dup('c').data().asLong(), shape);
            case INT -> NpyArray.ofInt32(a.dup('c').data().asInt(), shape);
            default -> throw new IllegalArgumentException("cannot store an array of type " + a.dataType());
        };
    }

    static INDArray fromNpy(NpyArray a, String what) {
        long[] shape = new long[a.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = a.shape(i);
        }
        return switch (a.dtype()) {
            case FLOAT32 -> {
                float[] v = a.toFloatArray();
                yield NdArrays.fromHeap(v, v.length, shape);
            }
            case FLOAT64 -> Nd4j.create(a.toDoubleArray(), shape, 'c');
            case INT64 -> Nd4j.createFromArray(a.toLongArray()).reshape(shape);
            case INT32 -> Nd4j.createFromArray(a.toIntArray()).reshape(shape);
            default -> throw new IllegalArgumentException(what + ": unsupported dtype " + a.dtype());
        };
    }

    /** Same shape, where a scalar and a one-element array count as equal (scalars are stored as [1]). */
    static boolean fits(INDArray dst, INDArray src) {
        return (dst.length() == 1 && src.length() == 1) || java.util.Arrays.equals(dst.shape(), src.shape());
    }

    /** Copies {@code src} into the live {@code dst}, checking the shape. */
    static void assignChecked(INDArray dst, INDArray src, String what) {
        long[] want = dst.shape();
        long[] got = src.shape();
        if (!fits(dst, src)) {
            throw new IllegalArgumentException(what + ": shape " + java.util.Arrays.toString(got) + ", expected "
                    + java.util.Arrays.toString(want));
        }
        dst.assign(src.reshape(want).castTo(dst.dataType()));
    }

    static double[] toDoubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}

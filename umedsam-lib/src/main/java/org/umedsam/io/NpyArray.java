package org.umedsam.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional NumPy array held as its raw bytes: one buffer, no second copy, whatever the
 * dtype, byte order or memory order (C or Fortran). Element accessors take the logical C-order
 * flat index, so callers never see the storage order.
 */
public final class NpyArray {
    private final NpyDtype dtype;
    private final int[] shape;
    private final boolean fortranOrder;
    private final ByteBuffer data;
    private final long size;
    private final long[] cStrides;

    /**
     * @param data raw element bytes, with its byte order set; read from position 0
     */
    public NpyArray(NpyDtype dtype, int[] shape, boolean fortranOrder, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.fortranOrder = fortranOrder;
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        this.size = n;
        if ((long) data.capacity() < n * dtype.bytes()) {
            throw new IllegalArgumentException("data holds " + data.capacity() + " bytes, shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + n * dtype.bytes());
        }
        this.data = data;
        this.cStrides = new long[shape.length];
        long st = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            cStrides[i] = st;
            st *= shape[i];
        }
    }

    public static NpyArray ofUint8(byte[] values, int... shape) {
        return new NpyArray(NpyDtype.UINT8, shape, false, ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN));
    }

    public static NpyArray ofBool(boolean[] values, int... shape) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (values[i] ? 1 : 0);
        }
        return new NpyArray(NpyDtype.BOOL, shape, false, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
    }

    public static NpyArray ofInt16(short[] values, int... shape) {
        return filled(NpyDtype.INT16, values.length, shape, b -> b.asShortBuffer().put(values));
    }

    public static NpyArray ofUint16(short[] values, int... shape) {
        return filled(NpyDtype.UINT16, values.length, shape, b -> b.asShortBuffer().put(values));
    }

    public static NpyArray ofInt32(int[] values, int... shape) {
        return filled(NpyDtype.INT32, values.length, shape, b -> b.asIntBuffer().put(values));
    }

    public static NpyArray ofInt64(long[] values, int... shape) {
        return filled(NpyDtype.INT64, values.length, shape, b -> b.asLongBuffer().put(values));
    }

    public static NpyArray ofFloat32(float[] values, int... shape) {
        return filled(NpyDtype.FLOAT32, values.length, shape, b -> b.asFloatBuffer().put(values));
    }

    public static NpyArray ofFloat64(double[] values, int... shape) {
        return filled(NpyDtype.FLOAT64, values.length, shape, b -> b.asDoubleBuffer().put(values));
    }

    /**
     * A C-order array of {@code n} elements of {@code dtype}, its little-endian bytes written by {@code put} (a
     * typed view's bulk put from position 0).
     */
    private static NpyArray filled(NpyDtype dtype, int n, int[] shape, java.util.function.Consumer<ByteBuffer> put) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        put.accept(b);
        return new NpyArray(dtype, shape, false, b);
    }

    public NpyDtype dtype() {
        return dtype;
    }

    /** The array's shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    public int shape(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    public long size() {
        return size;
    }

    public boolean isFortranOrder() {
        return fortranOrder;
    }

    /** The raw element bytes in storage order (a read-only view). */
    public ByteBuffer rawData() {
        return data.asReadOnlyBuffer().order(data.order());
    }

    public ByteOrder byteOrder() {
        return data.order();
    }

    /** Storage offset (in elements) of the element at logical C-order flat index {@code i}. */
    private long storageIndex(long i) {
        if (!fortranOrder || shape.length < 2) {
            return i;
        }
        long rem = i;
        long off = 0;
        long fStride = 1;
        long[] idx = new long[shape.length];
        for (int a = 0; a < shape.length; a++) {
            idx[a] = rem / cStrides[a];
            rem %= cStrides[a];
        }
        for (int a = 0; a < shape.length; a++) {
            off += idx[a] * fStride;
            fStride *= shape[a];
        }
        return off;
    }

    /** The element at logical C-order flat index {@code i}, as a double (exact for all but huge int64). */
    public double getDouble(long i) {
        int p = bytePosition(i);
        return switch (dtype) {
            case FLOAT32 -> data.getFloat(p);
            case FLOAT64 -> data.getDouble(p);
            default -> integerAt(p);
        };
    }

    /** The element at logical C-order flat index {@code i}, as a long (floats truncated toward zero). */
    public long getLong(long i) {
        int p = bytePosition(i);
        return switch (dtype) {
            case FLOAT32 -> (long) data.getFloat(p);
            case FLOAT64 -> (long) data.getDouble(p);
            default -> integerAt(p);
        };
    }

    /** Byte offset in {@link #data} of the element at logical C-order flat index {@code i}. */
    private int bytePosition(long i) {
        return Math.toIntExact(storageIndex(i) * dtype.bytes());
    }

    /** The integer element at byte offset {@code p} (unsigned types widened without sign). */
    private long integerAt(int p) {
        return switch (dtype) {
            case BOOL, UINT8 -> data.get(p) & 0xFF;
            case INT8 -> data.get(p);
            case INT16 -> data.getShort(p);
            case UINT16 -> data.getShort(p) & 0xFFFF;
            case INT32 -> data.getInt(p);
            case UINT32 -> data.getInt(p) & 0xFFFFFFFFL;
            case INT64 -> data.getLong(p);
            case FLOAT32, FLOAT64 -> throw new IllegalStateException(dtype + " is not an integer type");
        };
    }

    /** The element at a multi-index (C order semantics). */
    public double getDouble(int... index) {
        return getDouble(flatIndex(index));
    }

    /** Logical C-order flat index of a multi-index, bounds-checked. */
    public long flatIndex(int... index) {
        if (index.length != shape.length) {
            throw new IndexOutOfBoundsException("index of rank " + index.length + " for shape " + Arrays.toString(shape));
        }
        long f = 0;
        for (int a = 0; a < shape.length; a++) {
            if (index[a] < 0 || index[a] >= shape[a]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
            }
            f += index[a] * cStrides[a];
        }
        return f;
    }

    /** All elements in C order as float32. */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size)];
        if (!fortranOrder && dtype == NpyDtype.FLOAT32) {
            data.duplicate().order(data.order()).position(0).asFloatBuffer().get(out);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) getDouble(i);
        }
        return out;
    }

    /** All elements in C order as float64. */
    public double[] toDoubleArray() {
        return indices().mapToDouble(this::getDouble).toArray();
    }

    /** All elements in C order as int32 (floats truncated, int64 must fit). */
    public int[] toIntArray() {
        return indices().map(i -> Math.toIntExact(getLong(i))).toArray();
    }

    /** All elements in C order as int64. */
    public long[] toLongArray() {
        return indices().mapToLong(this::getLong).toArray();
    }

    /** The logical C-order flat indices {@code 0 .. size-1}, in order (size must fit an int). */
    private java.util.stream.IntStream indices() {
        return java.util.stream.IntStream.range(0, Math.toIntExact(size));
    }

    /**
     * Like {@link #toUint8Array()}, but for C-ordered {@code uint8}/{@code bool} data read by
     * {@link Npy} returns the buffer's own array without copying (so a large volume is held
     * once). The result then aliases this array: do not modify it while this array is in use.
     */
    public byte[] toUint8ArrayShared() {
        if (!fortranOrder && (dtype == NpyDtype.UINT8 || dtype == NpyDtype.BOOL) && data.hasArray()
                && data.arrayOffset() == 0 && data.array().length == size) {
            return data.array();
        }
        return toUint8Array();
    }

    /** All elements in C order as unsigned bytes (values must be whole numbers in 0..255). */
    public byte[] toUint8Array() {
        byte[] out = new byte[Math.toIntExact(size)];
        if (!fortranOrder && (dtype == NpyDtype.UINT8 || dtype == NpyDtype.BOOL)) {
            data.duplicate().position(0).get(out);
            return out;
        }
        boolean floating = dtype.isFloating();
        for (int i = 0; i < out.length; i++) {
            long v;
            if (floating) {
                double d = getDouble(i);
                if (d != Math.rint(d)) {
                    throw new IllegalStateException("value " + d + " at index " + i
                            + " is not a whole number (labels must be integers)");
                }
                v = (long) d;
            } else {
                v = getLong(i);
            }
            if (v < 0 || v > 255) {
                throw new IllegalStateException("value " + v + " at index " + i + " does not fit uint8");
            }
            out[i] = (byte) v;
        }
        return out;
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + (fortranOrder ? " F" : "") + "]";
    }
}

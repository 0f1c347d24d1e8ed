package org.umedsam.model.cpu;

import org.bytedeco.javacpp.FloatPointer;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A growable off-heap float array for sgemm operands: viewed as a row-major matrix for {@code Nd4j.gemm}, read
 * and written from Java in bulk runs (rows). The decoder keeps its image-sized activations in them, the encoder the
 * inputs and outputs of its {@link NativeLinear} products; {@link Gemm} and {@link ResidentLinear} stage heap
 * operands through them.
 *
 * <p>Why: {@link Gemm} copies every operand between the heap and staging buffers per call; for the
 * decoder's {@code [HW, E]} operands (4 MB each) those copies, cache-cold, cost about 0.6 ms per
 * million floats, about as much as the products they feed. Kept here, an activation is written once by
 * the Java pass that makes it (a row at a time, while in cache) and read by every product that uses it.
 *
 * <p>Not thread-safe to grow; the bulk {@link #put}/{@link #get} at absolute indices may run from several
 * threads on disjoint ranges (they do not move the buffer's position).
 */
final class NativeFloats {

    private DataBuffer data;
    private FloatBuffer nio;
    /** The same memory as bytes in native order, for the Vector API's loads and stores. */
    private ByteBuffer bytes;
    /** The buffer's address for direct BLAS calls (null until first asked for after growing). */
    private FloatPointer pointer;

    /**
     * Makes room for at least {@code len} values (contents undefined after growing; it grows by half at least, so
     * that callers of varying sizes settle after a few calls); returns this.
     */
    NativeFloats ensure(long len) {
        if (data == null || data.length() < len) {
            data = Nd4j.createBuffer(DataType.FLOAT, Math.max(len, data == null ? 1 << 14 : data.length() * 3 / 2), false);
            bytes = data.asNio().order(ByteOrder.nativeOrder());
            nio = bytes.asFloatBuffer();
            pointer = null;
        }
        return this;
    }

    /** The buffer's memory, for a direct BLAS call (valid until the buffer grows). */
    FloatPointer pointer() {
        if (pointer == null) {
            pointer = new FloatPointer(data.addressPointer());
        }
        return pointer;
    }

    /** The first {@code rows * cols} values as a c-order {@code [rows, cols]} matrix (a view, not a copy). */
    INDArray matrix(int rows, int cols) {
        return matrix(0L, rows, cols);
    }

    /**
     * The {@code rows * cols} values from {@code offset} as a c-order {@code [rows, cols]} matrix (a view, not a
     * copy): a block of rows of a larger matrix.
     */
    INDArray matrix(long offset, int rows, int cols) {
        requireMatrix(offset, rows, cols);
        return Nd4j.create(data, new long[]{rows, cols}, new long[]{cols, 1}, offset, 'c');
    }

    /** Throws unless a {@code [rows, cols]} matrix from {@code offset} fits in the buffer. */
    void requireMatrix(long offset, int rows, int cols) {
        if (data == null || offset < 0 || data.length() < offset + (long) rows * cols) {
            throw new IllegalStateException("native buffer holds " + (data == null ? 0 : data.length())
                    + " values, a [" + rows + ", " + cols + "] view needs more (from index " + offset + ")");
        }
    }

    /**
     * The buffer's memory as native-order bytes (float {@code i} at byte {@code 4 i}), for vector loads and
     * stores; valid until the buffer grows.
     */
    ByteBuffer bytes() {
        return bytes;
    }

    /** Copies {@code src[off, off + len)} to {@code [index, index + len)}. */
    void put(int index, float[] src, int off, int len) {
        nio.put(index, src, off, len);
    }

    /** Copies {@code [index, index + len)} to {@code dst[off, off + len)}. */
    void get(int index, float[] dst, int off, int len) {
        nio.get(index, dst, off, len);
    }

    /** As {@link #put}, split over the common pool when long (a copy on one core leaves the other idle). */
    void putParallel(int index, float[] src, int off, int len) {
        ChunkedParallel.parallel(len, 1, (from, to) -> put(index + from, src, off + from, to - from));
    }

    /** As {@link #get}, split over the common pool when long. */
    void getParallel(int index, float[] dst, int off, int len) {
        ChunkedParallel.parallel(len, 1, (from, to) -> get(index + from, dst, off + from, to - from));
    }

    /** As {@link #stage(float[], int, int, int)}, the copy split over the common pool when long. */
    INDArray stageParallel(float[] src, int off, int rows, int cols) {
        ensure((long) rows * cols);
        putParallel(0, src, off, rows * cols);
        return matrix(rows, cols);
    }

    /** {@code src[0, len)} into a c-order {@code [rows, cols]} view ({@code len = rows * cols}), growing as needed. */
    INDArray stage(float[] src, int rows, int cols) {
        return stage(src, 0, rows, cols);
    }

    /** {@code src[off, off + len)} into a c-order {@code [rows, cols]} view ({@code len = rows * cols}), growing as needed. */
    INDArray stage(float[] src, int off, int rows, int cols) {
        ensure((long) rows * cols);
        put(0, src, off, rows * cols);
        return matrix(rows, cols);
    }
}

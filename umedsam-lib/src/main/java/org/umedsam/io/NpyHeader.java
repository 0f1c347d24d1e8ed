package org.umedsam.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A checked {@code .npy} header: what the data that follows must be.
 *
 * @param dtype element type
 * @param order byte order of the elements
 * @param fortranOrder whether the data is stored column-major
 * @param shape dimensions, none negative, whose product times the element size fits a long
 * @param headerBytes bytes before the data (magic, version, length field, dict)
 */
record NpyHeader(NpyDtype dtype, ByteOrder order, boolean fortranOrder, int[] shape, long headerBytes) {

    /** Number of elements. */
    long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes of data the header announces. */
    long dataBytes() {
        return elements() * dtype.bytes();
    }

    /** {@code uint8 [2, 3]}, as error messages show it. */
    String describe() {
        return dtype.name().toLowerCase() + " " + Arrays.toString(shape);
    }

    /** {@code a * b} or an error naming the source and the shape when it overflows a long. */
    static long multiply(long a, long b, String source, int[] shape) throws IOException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IOException(source + ": shape " + Arrays.toString(shape)
                    + " holds more elements than a 64-bit count (overflow)");
        }
    }
}

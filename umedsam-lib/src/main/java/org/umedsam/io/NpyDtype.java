package org.umedsam.io;

import java.nio.ByteOrder;

/**
 * The NumPy element types we read and write. Object arrays ({@code |O}) are deliberately absent:
 * they hold pickles, and we never unpickle data files.
 */
public enum NpyDtype {
    BOOL('b', 1), INT8('i', 1), UINT8('u', 1), INT16('i', 2), UINT16('u', 2),
    INT32('i', 4), UINT32('u', 4), INT64('i', 8), FLOAT32('f', 4), FLOAT64('f', 8);

    private final char kind;
    private final int bytes;

    NpyDtype(char kind, int bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return kind == 'f';
    }

    /** The NumPy {@code descr} string, e.g. {@code <f4} or {@code |u1}. */
    public String descr(ByteOrder order) {
        String prefix = bytes == 1 ? "|" : (order == ByteOrder.BIG_ENDIAN ? ">" : "<");
        return prefix + kind + bytes;
    }

    /**
     * Parses a {@code descr} such as {@code <i2}, {@code >f8}, {@code |b1}.
     *
     * @throws IllegalArgumentException for object, string, structured or unknown types
     */
    public static NpyDtype fromDescr(String descr) {
        String d = descr.trim();
        if (d.length() < 2) {
            throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        }
        char first = d.charAt(0);
        String body = (first == '<' || first == '>' || first == '|' || first == '=') ? d.substring(1) : d;
        if (body.startsWith("O")) {
            throw new IllegalArgumentException("object arrays (dtype '" + descr
                    + "') hold pickled Python objects and are refused; save plain numeric arrays");
        }
        if (body.equals("?")) {
            return BOOL;
        }
        char kind = body.charAt(0);
        int size;
        try {
            size = Integer.parseInt(body.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        }
        for (NpyDtype t : values()) {
            if (t.kind == kind && t.bytes == size) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + descr
                + "' (supported: bool, int8, uint8, int16, uint16, int32, uint32, int64, float32, float64)");
    }

    /** Byte order of a {@code descr}; single-byte types and '=' read as little-endian (x86). */
    public static ByteOrder orderOf(String descr) {
        return descr.trim().startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}

package org.umedsam.io;

import java.util.Arrays;

/**
 * A flat label map (0 = background), held in one byte per element while every label fits a byte
 * and in two (unsigned) once a label above 255 is stored: the challenge writes {@code gts} and
 * {@code segs} as uint8 and switches to uint16 for cases with more than 255 objects (microscopy).
 * Labels run 0..{@value #MAX_LABEL}. A byte-wide array widens itself when a larger label is set,
 * so a volume with few objects never costs two bytes a voxel.
 */
public final class LabelArray {
    /** The largest label uint16 holds. */
    public static final int MAX_LABEL = 65535;

    private byte[] narrow;
    private short[] wide;

    private LabelArray(byte[] narrow, short[] wide) {
        this.narrow = narrow;
        this.wide = wide;
    }

    /** Labels held in {@code values} (not copied; each byte read unsigned). */
    public static LabelArray ofUint8(byte[] values) {
        return new LabelArray(values, null);
    }

    /** Labels held in {@code values} (not copied; each short read unsigned). */
    public static LabelArray ofUint16(short[] values) {
        return new LabelArray(null, values);
    }

    /** {@code n} zero labels, one byte each until a label above 255 is set. */
    public static LabelArray zeros(int n) {
        return new LabelArray(new byte[n], null);
    }

    /**
     * The labels of a stored array of any integer or float dtype whose values are whole numbers in
     * 0..{@value #MAX_LABEL}; kept in bytes when its largest value is at most 255 whatever its dtype.
     * C-ordered uint8/bool data is shared, not copied.
     *
     * @throws IllegalStateException saying which value breaks the rule (callers add the file and key)
     */
    public static LabelArray of(NpyArray a) {
        if (a.dtype() == NpyDtype.UINT8 || a.dtype() == NpyDtype.BOOL) {
            return ofUint8(a.toUint8ArrayShared());
        }
        if (a.size() > Integer.MAX_VALUE) {
            throw new IllegalStateException("has " + a.size() + " values, more than one array holds");
        }
        int n = (int) a.size();
        boolean floating = a.dtype().isFloating();
        long max = 0;
        for (int i = 0; i < n; i++) {
            long v = value(a, i, floating);
            max = Math.max(max, v);
        }
        if (max <= 255) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) value(a, i, floating);
            }
            return ofUint8(out);
        }
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
            out[i] = (short) value(a, i, floating);
        }
        return ofUint16(out);
    }

    /** Element {@code i} of {@code a} as a label, or an exception naming the value and its index. */
    private static long value(NpyArray a, int i, boolean floating) {
        if (floating) {
            double d = a.getDouble(i);
            if (d != Math.rint(d)) {
                throw new IllegalStateException("value " + d + " at index " + i
                        + " is not a whole number (labels must be integers)");
            }
            if (d < 0 || d > MAX_LABEL) {
                throw new IllegalStateException("value " + d + " at index " + i + " is outside the labels 0.." + MAX_LABEL);
            }
            return (long) d;
        }
        long v = a.getLong(i);
        if (v < 0 || v > MAX_LABEL) {
            throw new IllegalStateException("value " + v + " at index " + i + " is outside the labels 0.." + MAX_LABEL);
        }
        return v;
    }

    /** Number of elements. */
    public int length() {
        return narrow != null ? narrow.length : wide.length;
    }

    /** The label at {@code i}. */
    public int get(int i) {
        return narrow != null ? narrow[i] & 0xFF : wide[i] & 0xFFFF;
    }

    /** Stores {@code label} at {@code i}, widening to two bytes a label first when it exceeds 255. */
    public void set(int i, int label) {
        if (label < 0 || label > MAX_LABEL) {
            throw new IllegalArgumentException("label " + label + " outside 0.." + MAX_LABEL);
        }
        if (narrow != null) {
            if (label <= 255) {
                narrow[i] = (byte) label;
                return;
            }
            widen();
        }
        wide[i] = (short) label;
    }

    private void widen() {
        short[] w = new short[narrow.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (short) (narrow[i] & 0xFF);
        }
        wide = w;
        narrow = null;
    }

    /** Whether labels are held in two bytes each. */
    public boolean isWide() {
        return wide != null;
    }

    /**
     * The byte array behind a byte-wide label map (not a copy), for code that handles only labels
     * up to 255.
     *
     * @throws IllegalStateException when the labels are held in two bytes
     */
    public byte[] uint8() {
        if (narrow == null) {
            throw new IllegalStateException("labels above 255 (uint16) do not fit bytes");
        }
        return narrow;
    }

    /** The largest label (0 for none). */
    public int max() {
        int m = 0;
        int n = length();
        for (int i = 0; i < n; i++) {
            m = Math.max(m, get(i));
        }
        return m;
    }

    /** Whether any element is labelled in {@code [from, to)}. */
    public boolean anyIn(int from, int to) {
        for (int i = from; i < to; i++) {
            if (narrow != null ? narrow[i] != 0 : wide[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /** Elements {@code [from, to)} as a new label map of the same width. */
    public LabelArray copyOfRange(int from, int to) {
        return narrow != null ? ofUint8(Arrays.copyOfRange(narrow, from, to))
                : ofUint16(Arrays.copyOfRange(wide, from, to));
    }

    /** An independent copy. */
    public LabelArray copy() {
        return copyOfRange(0, length());
    }

    /**
     * The labels as the challenge stores them: uint8 when the largest label is at most 255,
     * else uint16.
     *
     * @param shape the array's shape, its product equal to {@link #length()}
     */
    public NpyArray toNpy(int... shape) {
        if (narrow != null) {
            return NpyArray.ofUint8(narrow, shape);
        }
        int m = max();
        if (m <= 255) {
            byte[] b = new byte[wide.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) wide[i];
            }
            return NpyArray.ofUint8(b, shape);
        }
        return NpyArray.ofUint16(wide, shape);
    }

    /** Equal when both hold the same labels in the same order, whatever their widths. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LabelArray other) || other.length() != length()) {
            return false;
        }
        if (narrow != null && other.narrow != null) {
            return Arrays.equals(narrow, other.narrow);
        }
        int n = length();
        for (int i = 0; i < n; i++) {
            if (get(i) != other.get(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        int n = length();
        for (int i = 0; i < n; i++) {
            h = 31 * h + get(i);
        }
        return h;
    }

    @Override
    public String toString() {
        return "LabelArray[" + length() + (isWide() ? " uint16" : " uint8") + "]";
    }
}

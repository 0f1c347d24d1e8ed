package org.umedsam.data;

import org.umedsam.io.LabelArray;

/** LiteMedSAM's {@code pad_image}: zero padding at the bottom and right up to a square side. */
public final class Pad {
    private Pad() {
    }

    /** Pads a {@code [C, h, w]} float array to {@code [C, side, side]}. */
    public static float[] chw(float[] src, int channels, int h, int w, int side) {
        check(h, w, side);
        float[] out = new float[channels * side * side];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (c * h + y) * w, out, (c * side + y) * side, w);
            }
        }
        return out;
    }

    /** Pads an {@code [h, w]} byte mask to {@code [side, side]}. */
    public static byte[] mask(byte[] src, int h, int w, int side) {
        check(h, w, side);
        byte[] out = new byte[side * side];
        for (int y = 0; y < h; y++) {
            System.arraycopy(src, y * w, out, y * side, w);
        }
        return out;
    }

    /** Pads an {@code [h, w]} label map of any width to {@code [side, side]} (the same width). */
    public static LabelArray labels(LabelArray src, int h, int w, int side) {
        if (!src.isWide()) {
            return LabelArray.ofUint8(mask(src.uint8(), h, w, side));
        }
        check(h, w, side);
        LabelArray out = LabelArray.ofUint16(new short[side * side]);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.set(y * side + x, src.get(y * w + x));
            }
        }
        return out;
    }

    private static void check(int h, int w, int side) {
        if (h > side || w > side) {
            throw new IllegalArgumentException(h + "x" + w + " does not fit in " + side + "x" + side);
        }
    }
}

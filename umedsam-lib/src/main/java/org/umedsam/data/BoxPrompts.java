package org.umedsam.data;

/**
 * Box prompts as LiteMedSAM builds them. Boxes are {@code [x0, y0, x1, y1]} in pixels
 * (inclusive corner coordinates of the object's extreme pixels, as {@code np.where} gives them).
 */
public final class BoxPrompts {
    /** Widening applied to a propagated 3D box ({@code get_bbox256(..., bbox_shift=3)}). */
    public static final int PROPAGATION_SHIFT = 3;

    private BoxPrompts() {
    }

    /**
     * LiteMedSAM's {@code resize_box_to_256}: each coordinate {@code int(v * (side / max(H, W)))}
     * (truncation toward zero).
     *
     * @param box {@code [x0, y0, x1, y1]} in the original {@code h x w} image
     * @return the box in the {@code side x side} model frame
     */
    public static double[] toModelFrame(double[] box, int h, int w, int side) {
        double ratio = (double) side / Math.max(h, w);
        double[] out = new double[box.length];
        for (int i = 0; i < box.length; i++) {
            out[i] = (long) (box[i] * ratio);
        }
        return out;
    }

    /** {@link #toModelFrame(double[], int, int, int)} with side 256. */
    public static double[] toModelFrame(double[] box, int h, int w) {
        return toModelFrame(box, h, w, 256);
    }

    /** The 2D part {@code [x0, y0, x1, y1]} of a 3D box {@code [x0, y0, z0, x1, y1, z1]}. */
    public static double[] xyOf3dBox(double[] box3d) {
        if (box3d.length != 6) {
            throw new IllegalArgumentException("a 3D box has 6 values, got " + box3d.length);
        }
        return new double[] {box3d[0], box3d[1], box3d[3], box3d[4]};
    }

    /**
     * Tight box of the non-zero pixels of an {@code [h, w]} mask, {@code {x0, y0, x1, y1}}
     * inclusive, or {@code null} when the mask is empty.
     */
    public static int[] tightBox(byte[] mask, int h, int w) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                if (mask[row + x] != 0) {
                    if (x < x0) {
                        x0 = x;
                    }
                    if (x > x1) {
                        x1 = x;
                    }
                    if (y < y0) {
                        y0 = y;
                    }
                    y1 = y;
                }
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
    }

    /**
     * LiteMedSAM's {@code get_bbox256}: tight box of a {@code [side, side]} mask, each side moved
     * outward by {@code shift}, clipped to {@code [0, side]} (note: {@code side}, not
     * {@code side-1}, as upstream). {@code {-1,-1,-1,-1}} for an empty mask.
     */
    public static double[] fromMask(byte[] mask, int side, int shift) {
        int[] b = tightBox(mask, side, side);
        if (b == null) {
            return new double[] {-1, -1, -1, -1};
        }
        return new double[] {
            Math.max(0, b[0] - shift), Math.max(0, b[1] - shift),
            Math.min(side, b[2] + shift), Math.min(side, b[3] + shift)};
    }

    /**
     * The box 3D inference gives the next slice from the previous slice's segmentation: the
     * {@code [H, W]} mask is resized with INTER_AREA to the model's resized size (a one-channel
     * resize, as upstream), zero-padded to 256x256, and {@link #fromMask} with shift 3 is taken;
     * {@code {-1,-1,-1,-1}} when the resized mask is empty.
     */
    public static double[] nextSliceBox(byte[] mask, int h, int w) {
        ResizeLongestSide r = ResizeLongestSide.defaults();
        ImageU8 small = r.apply(new ImageU8(h, w, 1, mask));
        byte[] padded = Pad.mask(small.data(), small.height(), small.width(), r.target());
        return fromMask(padded, r.target(), PROPAGATION_SHIFT);
    }
}

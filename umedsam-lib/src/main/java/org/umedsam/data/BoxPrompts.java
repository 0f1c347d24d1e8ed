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
     * Checks a box prompt {@code [x0, y0, x1, y1]} in an image's pixels, as {@code CaseReader} checks a case file's
     * (there also whole numbers): finite, ordered ({@code x0 <= x1}, {@code y0 <= y1}) and overlapping the image,
     * whose far edges {@code W} and {@code H} a box may reach. A box wholly outside would decode to an empty mask,
     * a NaN one to logits of minus infinity, without a word; this says which box and why instead.
     *
     * @param what the box's name in the message, e.g. "box 3"
     * @throws IllegalArgumentException naming the box and the problem
     */
    public static void check(String what, double[] box, int width, int height) {
        for (double v : box) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " " + java.util.Arrays.toString(box)
                        + " has a coordinate that is not finite");
            }
        }
        int[] limits = {width, height};
        for (int k = 0; k < 2; k++) {
            String problem = axisProblem("xy".charAt(k), box[k], box[k + 2], limits[k], "[x0, y0, x1, y1]");
            if (problem != null) {
                throw new IllegalArgumentException(what + " " + java.util.Arrays.toString(box) + " " + problem);
            }
        }
    }

    /**
     * What is wrong with one axis of a box, {@code lo..hi} against an image spanning {@code 0..limit}: "is inverted
     * (x from 30 to 20); boxes are {@code layout}" or "lies outside the image (y 70..90, the image spans 0..64)",
     * or null when the range is ordered and overlaps the image. The one rule for boxes read from a case file
     * ({@code CaseReader}, which then clips) and boxes handed to the library ({@link #check}).
     */
    static String axisProblem(char axis, double lo, double hi, double limit, String layout) {
        if (lo > hi) {
            return "is inverted (" + axis + " from " + plain(lo) + " to " + plain(hi) + "); boxes are " + layout;
        }
        if (hi < 0 || lo > limit) {
            return "lies outside the image (" + axis + " " + plain(lo) + ".." + plain(hi) + ", the image spans 0.."
                    + plain(limit) + ")";
        }
        return null;
    }

    /** A whole coordinate without ".0", as a case file's integers print. */
    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
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
            return noBox();
        }
        return shifted(b[0], b[1], b[2], b[3], side, shift);
    }

    /** A tight box moved outward by {@code shift} and clipped to {@code [0, side]}, as {@link #fromMask} gives it. */
    private static double[] shifted(int x0, int y0, int x1, int y1, int side, int shift) {
        return new double[] {
            Math.max(0, x0 - shift), Math.max(0, y0 - shift), Math.min(side, x1 + shift), Math.min(side, y1 + shift)};
    }

    /**
     * The box 3D inference gives the next slice from the previous slice's segmentation: the
     * {@code [H, W]} mask is resized with INTER_AREA to the model's resized size (a one-channel
     * resize, as upstream), zero-padded to 256x256, and {@link #fromMask} with shift 3 is taken;
     * {@code {-1,-1,-1,-1}} when the resized mask is empty.
     *
     * <p>Only the resized pixels that can read a set pixel are computed ({@link AreaResize.Window#around} the mask's
     * tight box; every other resized pixel is 0, and so is the padding): the same box, for a fraction of the
     * resize when the object is small (a 3D case resized each previous slice's whole mask, 1 to 4 % of its time).
     */
    public static double[] nextSliceBox(byte[] mask, int h, int w) {
        if (mask.length != (long) h * w) {
            throw new IllegalArgumentException("mask of " + mask.length + " values, expected " + h + "x" + w);
        }
        int[] set = tightBox(mask, h, w);
        if (set == null) {
            return noBox();
        }
        return resizedBox(mask, h, w, set[1], set[3] + 1, set[0], set[2] + 1);
    }

    /**
     * As {@link #nextSliceBox(byte[], int, int)} for {@code mask} painted with {@code value} into its frame: the
     * window comes from the crop's rectangle, which holds every set pixel, so the frame is not scanned for them.
     */
    public static double[] nextSliceBox(CroppedMask mask, byte value) {
        if (!mask.any()) {
            return noBox();
        }
        byte[] frame = new byte[mask.frameHeight() * mask.frameWidth()];
        mask.paint(frame, value);
        return resizedBox(frame, mask.frameHeight(), mask.frameWidth(), mask.y0(), mask.y0() + mask.height(),
                mask.x0(), mask.x0() + mask.width());
    }

    /**
     * {@link #fromMask} with shift 3 of the {@code h x w} mask resized to the model frame and padded, computing only
     * the resized pixels around source rows {@code [sy0, sy1)} and columns {@code [sx0, sx1)}, outside which the mask
     * is 0.
     */
    private static double[] resizedBox(byte[] mask, int h, int w, int sy0, int sy1, int sx0, int sx1) {
        ResizeLongestSide r = ResizeLongestSide.defaults();
        int[] size = r.newSize(h, w);
        AreaResize.Window win = AreaResize.Window.around(h, w, size[0], size[1], sy0, sy1, sx0, sx1);
        ImageU8 part = AreaResize.resizeWindow(new ImageU8(h, w, 1, mask), size[0], size[1], win);
        int[] b = tightBox(part.data(), part.height(), part.width());
        if (b == null) {
            return noBox();
        }
        return shifted(b[0] + win.x0(), b[1] + win.y0(), b[2] + win.x0(), b[3] + win.y0(), r.target(),
                PROPAGATION_SHIFT);
    }

    /** {@code {-1, -1, -1, -1}}: no box (an empty mask). */
    private static double[] noBox() {
        return new double[] {-1, -1, -1, -1};
    }
}

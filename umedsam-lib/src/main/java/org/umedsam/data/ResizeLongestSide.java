package org.umedsam.data;

/**
 * LiteMedSAM's {@code resize_longest_side}: scale so the longer side becomes {@code target}
 * (256), {@code scale = target * 1.0 / max(H, W)}, {@code newh = int(H*scale + 0.5)},
 * {@code neww = int(W*scale + 0.5)}, then OpenCV INTER_AREA ({@link AreaResize}).
 */
public final class ResizeLongestSide {
    private final int target;

    public ResizeLongestSide(int target) {
        if (target <= 0) {
            throw new IllegalArgumentException("target must be positive, got " + target);
        }
        this.target = target;
    }

    /** The LiteMedSAM setting, 256. */
    public static ResizeLongestSide defaults() {
        return new ResizeLongestSide(256);
    }

    public int target() {
        return target;
    }

    /** {@code {newh, neww}} for an {@code h x w} image. */
    public int[] newSize(int h, int w) {
        double scale = target * 1.0 / Math.max(h, w);
        return new int[] {(int) (h * scale + 0.5), (int) (w * scale + 0.5)};
    }

    /** The image resized with INTER_AREA to {@link #newSize}. */
    public ImageU8 apply(ImageU8 image) {
        int[] s = newSize(image.height(), image.width());
        return AreaResize.resize(image, s[0], s[1]);
    }
}

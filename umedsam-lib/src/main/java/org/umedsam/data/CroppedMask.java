package org.umedsam.data;

import java.util.Arrays;

/**
 * A binary (0/1) mask in an {@code [frameHeight, frameWidth]} frame, stored as the rectangle that can hold its set
 * pixels: rows {@code [y0, y0 + height)} and columns {@code [x0, x0 + width)}; every pixel outside is 0.
 * {@link Postprocess#crop} makes these. A full-size mask per box was most of a large image's post-processing: 19
 * boxes on a 1536 x 2040 image allocate 19 arrays of 3.1 MB, each beyond G1's humongous threshold, and the young
 * collections they forced took 3 to 29 ms each (a probe with {@code -Xlog:gc}, 2-core Zen 5 EPYC, 2026-12-05).
 *
 * @param bits {@code [height, width]} row-major, 0 or 1
 */
public record CroppedMask(int frameHeight, int frameWidth, int x0, int y0, int width, int height, byte[] bits) {

    public CroppedMask {
        if (frameHeight < 0 || frameWidth < 0 || width < 0 || height < 0 || x0 < 0 || y0 < 0
                || (long) x0 + width > frameWidth || (long) y0 + height > frameHeight) {
            throw new IllegalArgumentException("crop " + width + "x" + height + " at (" + x0 + ", " + y0
                    + ") does not fit a " + frameWidth + "x" + frameHeight + " frame");
        }
        if (bits == null || bits.length != (long) width * height) {
            throw new IllegalArgumentException("crop " + width + "x" + height + " needs " + (long) width * height
                    + " values, got " + (bits == null ? "null" : bits.length));
        }
    }

    /** A mask with no set pixel. */
    public static CroppedMask empty(int frameHeight, int frameWidth) {
        return new CroppedMask(frameHeight, frameWidth, 0, 0, 0, 0, new byte[0]);
    }

    /** The whole {@code [frameHeight, frameWidth]} mask {@code frame} as a crop covering the frame (not copied). */
    public static CroppedMask ofFrame(byte[] frame, int frameHeight, int frameWidth) {
        return new CroppedMask(frameHeight, frameWidth, 0, 0, frameWidth, frameHeight, frame);
    }

    /** Whether any pixel is set. */
    public boolean any() {
        for (byte b : bits) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    /** The mask at frame size: {@code [frameHeight, frameWidth]} row-major, 0/1. */
    public byte[] toFrame() {
        byte[] frame = new byte[frameHeight * frameWidth];
        paint(frame, (byte) 1);
        return frame;
    }

    /** {@code frame[p] = value} wherever this mask is set; {@code frame} is {@code [frameHeight, frameWidth]}. */
    public void paint(byte[] frame, byte value) {
        if (frame.length != frameHeight * frameWidth) {
            throw new IllegalArgumentException("frame of " + frame.length + " values, expected " + frameHeight + "x"
                    + frameWidth);
        }
        for (int r = 0; r < height; r++) {
            int src = r * width;
            int dst = (y0 + r) * frameWidth + x0;
            for (int c = 0; c < width; c++) {
                if (bits[src + c] != 0) {
                    frame[dst + c] = value;
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CroppedMask m && frameHeight == m.frameHeight && frameWidth == m.frameWidth && x0 == m.x0
                && y0 == m.y0 && width == m.width && height == m.height && Arrays.equals(bits, m.bits);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(frameHeight, frameWidth, x0, y0, width, height) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "CroppedMask[" + width + "x" + height + " at (" + x0 + ", " + y0 + ") of " + frameWidth + "x"
                + frameHeight + "]";
    }
}

package org.umedsam.data;

import java.util.Arrays;

/**
 * An 8-bit image in interleaved HWC order ({@code [H, W, C]}, C = 1 or 3), the layout the
 * challenge stores 2D cases in and OpenCV works on.
 *
 * @param height rows
 * @param width columns
 * @param channels 1 (grey, a mask) or 3 (colour)
 * @param data {@code height*width*channels} unsigned bytes, row-major, channels interleaved
 */
public record ImageU8(int height, int width, int channels, byte[] data) {
    public ImageU8 {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("bad image size " + height + "x" + width + "x" + channels);
        }
        if (data.length != (long) height * width * channels) {
            throw new IllegalArgumentException("image " + height + "x" + width + "x" + channels
                    + " needs " + (long) height * width * channels + " bytes, got " + data.length);
        }
    }

    /** A zero image. */
    public static ImageU8 zeros(int height, int width, int channels) {
        return new ImageU8(height, width, channels, new byte[height * width * channels]);
    }

    /** Unsigned value at row {@code y}, column {@code x}, channel {@code c}. */
    public int get(int y, int x, int c) {
        return data[(y * width + x) * channels + c] & 0xFF;
    }

    /** A grey image repeated to 3 channels (a copy); a 3-channel image is returned as is. */
    public ImageU8 toThreeChannels() {
        if (channels == 3) {
            return this;
        }
        if (channels != 1) {
            throw new IllegalStateException("cannot make 3 channels from " + channels);
        }
        byte[] out = new byte[data.length * 3];
        for (int i = 0; i < data.length; i++) {
            out[3 * i] = data[i];
            out[3 * i + 1] = data[i];
            out[3 * i + 2] = data[i];
        }
        return new ImageU8(height, width, 3, out);
    }

    /** Smallest and largest unsigned value over all pixels and channels, as {@code {min, max}}. */
    public int[] minMax() {
        int min = 255;
        int max = 0;
        for (byte b : data) {
            int v = b & 0xFF;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new int[] {min, max};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageU8 m && m.height == height && m.width == width && m.channels == channels
                && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + height * 7 + width * 3 + channels;
    }

    @Override
    public String toString() {
        return "ImageU8[" + height + "x" + width + "x" + channels + "]";
    }
}

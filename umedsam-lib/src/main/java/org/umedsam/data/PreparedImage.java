package org.umedsam.data;

/**
 * An image ready for the LiteMedSAM encoder.
 *
 * @param chw {@code [3, side, side]} float32, min-max normalised, zero-padded bottom/right
 * @param side model input side (256)
 * @param newH height after {@link ResizeLongestSide} (rows {@code >= newH} are padding)
 * @param newW width after {@link ResizeLongestSide}
 * @param origH original height
 * @param origW original width
 */
public record PreparedImage(float[] chw, int side, int newH, int newW, int origH, int origW) {
    public PreparedImage {
        if (chw.length != 3 * side * side) {
            throw new IllegalArgumentException("expected 3x" + side + "x" + side + " values, got " + chw.length);
        }
    }
}

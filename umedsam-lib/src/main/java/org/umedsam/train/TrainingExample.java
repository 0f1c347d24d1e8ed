package org.umedsam.train;

/**
 * One training item after preprocessing.
 *
 * @param id       case identifier (for records and error messages)
 * @param image    [3, H, W] C-order, values in [0, 1]
 * @param box      [4] x0 y0 x1 y1 in the H x W frame
 * @param mask     [H, W], 0/1
 * @param height   H
 * @param width    W
 * @param modality modality label (may be empty)
 */
public record TrainingExample(String id, float[] image, float[] box, byte[] mask, int height, int width,
                              String modality) {
    public TrainingExample {
        if (image.length != 3 * height * width || mask.length != height * width || box.length != 4) {
            throw new IllegalArgumentException("example '" + id + "': expected image [3, " + height + ", " + width
                    + "], mask [" + height + ", " + width + "], box [4]; got " + image.length + ", " + mask.length
                    + ", " + box.length + " values");
        }
    }
}

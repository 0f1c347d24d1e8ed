package org.umedsam.data;

/**
 * One training sample in the 256x256 model frame.
 *
 * @param image {@code [3, 256, 256]} float32 in [0, 1]: resized, min-max normalised, padded (and flipped)
 * @param box {@code [4]} {@code x0, y0, x1, y1} in the 256 frame (jittered by up to bboxShift, clipped to 0..255)
 * @param mask {@code [256, 256]} binary target (0/1), same frame and flips as the image
 * @param modality canonical modality of the case
 * @param caseName the case's name
 * @param slice slice index in the case (0 for 2D)
 * @param label the label value chosen as the target
 */
public record Sample(float[] image, float[] box, byte[] mask, String modality, String caseName, int slice, int label) {
    public static final int SIDE = 256;

    public Sample {
        if (image.length != 3 * SIDE * SIDE || box.length != 4 || mask.length != SIDE * SIDE) {
            throw new IllegalArgumentException("sample arrays must be [3,256,256], [4], [256,256]");
        }
    }
}

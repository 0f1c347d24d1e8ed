package org.umedsam.infer;

import org.umedsam.data.ImageU8;

/**
 * Segments box prompts on one 2D image (a 2D case or one slice of a volume) in two steps, so that
 * the costly part shared by every box (the image embedding) is computed once per image:
 * {@link #embed} the image, then {@link Embedded#decode} any number of boxes against it.
 *
 * <p>{@link Predictor} is the LiteMedSAM implementation; the propagation logic
 * ({@link VolumePropagation}, {@link ImageInference}) depends only on this interface.
 */
@FunctionalInterface
public interface SliceSegmenter {

    /**
     * Prepares one image for decoding.
     *
     * @param image {@code [H, W, C]}, C = 1 (grey slice) or 3
     */
    Embedded embed(ImageU8 image);

    /** An image ready for box decoding. */
    @FunctionalInterface
    interface Embedded {
        /**
         * Binary masks for boxes in the model's 256x256 frame.
         *
         * @param boxes256 {@code [N][4]} x0 y0 x1 y1 in the 256 frame (as LiteMedSAM's prompt encoder takes them)
         * @return {@code [N][H * W]} 0/1 masks at the image's original size, row-major
         */
        byte[][] decode(double[][] boxes256);
    }
}

package org.umedsam.infer;

import org.umedsam.data.CroppedMask;
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

    /**
     * Where this segmenter's time went so far ({@link Predictor}: its running sums). The default is a fresh,
     * empty accumulator per call, for segmenters that time nothing; the propagation code adds its own parts
     * (next-slice boxes, painting) to the object it got here.
     */
    default InferenceTimings timings() {
        return new InferenceTimings();
    }

    /**
     * An image ready for box decoding. Close it when done ({@link Predictor} frees the embedding's native
     * buffer then; the default does nothing); no decode may follow.
     */
    @FunctionalInterface
    interface Embedded extends AutoCloseable {
        /**
         * Binary masks for boxes in the model's 256x256 frame.
         *
         * @param boxes256 {@code [N][4]} x0 y0 x1 y1 in the 256 frame (as LiteMedSAM's prompt encoder takes them)
         * @return one 0/1 mask per box in the image's original {@code [H, W]} frame, each stored as the rectangle
         *         that can hold its set pixels ({@link CroppedMask#toFrame} gives the full mask)
         */
        CroppedMask[] decode(double[][] boxes256);

        /** Frees what the embedding holds; idempotent. */
        @Override
        default void close() {
        }
    }
}

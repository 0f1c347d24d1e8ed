package org.umedsam.infer;

import org.umedsam.data.BoxPrompts;
import org.umedsam.data.CroppedMask;
import org.umedsam.data.ImageU8;
import org.umedsam.io.LabelArray;

/**
 * 2D inference as the challenge's LiteMedSAM script does it ({@code MedSAM_infer_npz_2D}): one
 * embedding for the image; each box {@code [x0, y0, x1, y1]} scaled to the 256 frame
 * ({@code int(v * 256 / max(H, W))}), decoded, post-processed to {@code H x W}; box {@code i}
 * (from 1) writes label {@code i} where its mask is set, later boxes over earlier ones. Labels are
 * held in bytes up to 255 boxes and in two bytes beyond (up to {@value LabelArray#MAX_LABEL}).
 */
public final class ImageInference {
    /** Boxes decoded per call, bounding the masks held at once. */
    static final int BOXES_PER_DECODE = 16;

    private ImageInference() {
    }

    /**
     * Segments every box of a 2D image.
     *
     * @param segmenter the model (or any {@link SliceSegmenter})
     * @param image     {@code [H, W, C]}
     * @param boxes     {@code [N][4]} in original pixels
     * @return {@code [H, W]} labels 0..N, row-major
     */
    public static LabelArray segment(SliceSegmenter segmenter, ImageU8 image, double[][] boxes) {
        int h = image.height();
        int w = image.width();
        if (boxes.length > LabelArray.MAX_LABEL) {
            throw new IllegalArgumentException(boxes.length + " boxes do not fit uint16 labels (at most "
                    + LabelArray.MAX_LABEL + ")");
        }
        LabelArray segs = LabelArray.zeros(h * w); // widens to two bytes once a label above 255 is painted
        if (boxes.length == 0) {
            return segs;
        }
        double[][] boxes256 = new double[boxes.length][];
        for (int i = 0; i < boxes.length; i++) {
            if (boxes[i].length != 4) {
                throw new IllegalArgumentException("2D box " + (i + 1) + " has " + boxes[i].length + " values, expected 4");
            }
            BoxPrompts.check("2D box " + (i + 1), boxes[i], w, h);
            boxes256[i] = BoxPrompts.toModelFrame(boxes[i], h, w);
        }
        InferenceTimings timings = segmenter.timings();
        try (SliceSegmenter.Embedded embedded = segmenter.embed(image)) {
            decodeAll(embedded, boxes256, segs, timings);
        }
        return segs;
    }

    private static void decodeAll(SliceSegmenter.Embedded embedded, double[][] boxes256, LabelArray segs,
                                  InferenceTimings timings) {
        // decoded a few boxes at a time, so that hundreds of objects never hold hundreds of masks (each up to full size)
        for (int from = 0; from < boxes256.length; from += BOXES_PER_DECODE) {
            int to = Math.min(boxes256.length, from + BOXES_PER_DECODE);
            CroppedMask[] masks = embedded.decode(java.util.Arrays.copyOfRange(boxes256, from, to));
            long q0 = System.nanoTime();
            for (int i = 0; i < masks.length; i++) {
                MaskPainter.overwrite(segs, 0, masks[i], from + i + 1);
            }
            long q1 = System.nanoTime();
            synchronized (timings) {
                timings.paintNanos += q1 - q0;
            }
        }
    }
}

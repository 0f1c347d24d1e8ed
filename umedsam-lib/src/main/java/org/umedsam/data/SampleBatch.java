package org.umedsam.data;

import java.util.List;

/**
 * Samples stacked as C-order flat arrays: the sampler's own view of a batch ({@link TrainingSampler#batches}).
 * The trainer does not use it: it stacks its items, with K boxes per image and their target maps, in
 * {@code org.umedsam.train.Batch}.
 *
 * @param images {@code [B, 3, 256, 256]}
 * @param boxes {@code [B, 4]} x0, y0, x1, y1 in the 256 frame
 * @param masks {@code [B, 1, 256, 256]} 0/1 targets as floats
 * @param samples the samples, in batch order (names, modalities, slices)
 */
public record SampleBatch(float[] images, float[] boxes, float[] masks, List<Sample> samples) {
    /** Stacks samples. */
    public static SampleBatch of(List<Sample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int b = samples.size();
        int img = 3 * Sample.SIDE * Sample.SIDE;
        int px = Sample.SIDE * Sample.SIDE;
        float[] images = new float[b * img];
        float[] boxes = new float[b * 4];
        float[] masks = new float[b * px];
        for (int i = 0; i < b; i++) {
            Sample s = samples.get(i);
            System.arraycopy(s.image(), 0, images, i * img, img);
            System.arraycopy(s.box(), 0, boxes, i * 4, 4);
            for (int p = 0; p < px; p++) {
                masks[i * px + p] = s.mask()[p];
            }
        }
        return new SampleBatch(images, boxes, masks, List.copyOf(samples));
    }

    public int size() {
        return samples.size();
    }

    /** Shape of {@link #images()}: {@code [B, 3, 256, 256]}. */
    public long[] imageShape() {
        return new long[] {size(), 3, Sample.SIDE, Sample.SIDE};
    }

    /** Shape of {@link #boxes()}: {@code [B, 4]}. */
    public long[] boxShape() {
        return new long[] {size(), 4};
    }

    /** Shape of {@link #masks()}: {@code [B, 1, 256, 256]}. */
    public long[] maskShape() {
        return new long[] {size(), 1, Sample.SIDE, Sample.SIDE};
    }
}

package org.umedsam.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Several boxes prompting one image: {@code boxes [B K, 4]} for {@code images [B, ...]}, image {@code i}'s boxes at
 * rows {@code i K .. i K + K - 1}. A pass then embeds each image once; an engine that takes one box per image gets
 * the images (or embeddings) repeated, which gives the same outputs and summed gradients.
 */
public final class BoxesPerImage {
    private BoxesPerImage() {
    }

    /** {@code K = boxes.size(0) / images.size(0)}, which must divide exactly. */
    public static int of(INDArray images, INDArray boxes) {
        long n = images.size(0);
        long b = boxes.size(0);
        if (n < 1 || b < n || b % n != 0) {
            throw new IllegalArgumentException("boxes: " + b + " rows for " + n + " images; expected K boxes per image");
        }
        return (int) (b / n);
    }

    /** Each row of {@code x} ({@code [N, ...]}) repeated {@code k} times in place: {@code [N k, ...]}. */
    public static INDArray repeatRows(INDArray x, int k) {
        if (k == 1) {
            return x;
        }
        INDArray[] parts = new INDArray[(int) x.size(0) * k];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = x.get(NDArrayIndex.interval(i / k, i / k + 1));
        }
        return Nd4j.concat(0, parts);
    }
}

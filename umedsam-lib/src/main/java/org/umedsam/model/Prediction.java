package org.umedsam.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Masks decoded from one image embedding.
 *
 * @param masks logits {@code [N, K, 256, 256]}, K = 1 (single mask) or 3 (multimask)
 * @param iou   predicted IoU {@code [N, K]}
 */
public record Prediction(INDArray masks, INDArray iou) {
}

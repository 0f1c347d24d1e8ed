package org.umedsam.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Result of a single-mask forward pass (LiteMedSAM training: {@code multimask_output=False}).
 *
 * @param lowResLogits mask logits {@code [B, 1, 256, 256]} (256 = {@code ModelConfig.maskSize()})
 * @param iou          predicted IoU {@code [B, 1]}
 * @param batchNormStatistics in training mode, the batch statistics of every BatchNorm layer (empty in
 *                     evaluation mode and for decoder-only passes); apply them with
 *                     {@link LiteMedSam#applyBatchNormStatistics(ModelOutput, double)}
 */
public record ModelOutput(INDArray lowResLogits, INDArray iou, List<BatchNormStatistics> batchNormStatistics) {

    /**
     * One BatchNorm layer's statistics over a batch.
     *
     * @param prefix   state-dict prefix of the BatchNorm, e.g. {@code image_encoder.patch_embed.seq.0.bn}
     * @param mean     batch mean per channel {@code [C]}
     * @param variance biased batch variance per channel {@code [C]} (what normalised the batch)
     * @param count    elements per channel (B * H * W), for the unbiased running variance
     */
    public record BatchNormStatistics(String prefix, INDArray mean, INDArray variance, long count) {
    }
}

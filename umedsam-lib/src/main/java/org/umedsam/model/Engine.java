package org.umedsam.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One implementation of LiteMedSAM's passes over a {@link LiteMedSam}'s state: {@code org.umedsam.model.cpu}
 * (the hand-scheduled engine that runs every float32 pass) or {@code org.umedsam.model.samediff} (the reference:
 * SameDiff graphs, double precision, gradients of any parameter group, {@link #trace}). Engines are found with
 * {@link java.util.ServiceLoader} ({@link Provider}), so this package knows neither.
 *
 * <p>Inputs reach an engine checked and cast by {@link LiteMedSam} (shapes below, the model's data type). An
 * engine reads the model's live state ({@link LiteMedSam#state()}); it may keep copies of the weights for as long
 * as the model's weight versions ({@link LiteMedSam#encoderWeightVersion()},
 * {@link LiteMedSam#decoderWeightVersion()}) stay the same, except where a method says it reads the weights at
 * the call.
 */
public interface Engine {

    /** The implementations. */
    enum Kind {
        /** {@code org.umedsam.model.cpu}: Java loops plus native sgemm (float32 models only). */
        CPU,
        /** {@code org.umedsam.model.samediff}: the SameDiff graphs, any data type, gradients of any group. */
        SAMEDIFF
    }

    /** How BatchNorm normalises in a full-model pass. */
    enum Mode {
        /** With the batch's statistics, which the pass' output carries (running statistics are not updated). */
        TRAINING,
        /** With the running statistics. */
        EVALUATION
    }

    /**
     * A forward pass that can be differentiated: the gradients of the surrogate
     * {@code sum(logits * gradLogits) + sum(iou * gradIou)} at the weights and inputs of the pass.
     */
    interface Pass {
        /** Logits {@code [B, 1, 256, 256]}, IoU {@code [B, 1]} and, in {@link Mode#TRAINING}, every BatchNorm's batch statistics. */
        ModelOutput output();

        /**
         * Gradients with respect to the named trainable parameters (fresh arrays, PyTorch shapes); parameters the
         * box-prompted pass does not use get zeros.
         *
         * @param gradLogits dLoss/dLogits {@code [B, 1, 256, 256]}
         * @param gradIou    dLoss/dIou {@code [B, 1]}
         */
        Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt);

        /**
         * Makes the pass single-use, for a trainer that differentiates each pass once: an engine may let go of what
         * the backward pass needs while it runs, and a second {@link #backward} may then throw
         * {@link IllegalStateException}. The default keeps everything.
         *
         * @return this pass
         */
        default Pass singleUse() {
            return this;
        }
    }

    /** Makes an engine for a model; listed in {@code META-INF/services/org.umedsam.model.Engine$Provider}. */
    interface Provider {
        Kind kind();

        Engine create(LiteMedSam model);
    }

    Kind kind();

    /**
     * Which arithmetic {@link #embed} runs: two engines that report the same string embed the same image to the
     * same bits (a content-addressed cache of embeddings keys on it). The CPU engine adds its kernel set, since its
     * vectorised kernels round differently from its plain-Java ones.
     */
    default String numerics() {
        return kind().name();
    }

    /** Image embedding in evaluation mode: {@code [B, 3, 256, 256] -> [B, 256, 64, 64]}. */
    INDArray embed(INDArray images);

    /**
     * Decodes N boxes against one embedding with the weights as they are at the call (in-place updates seen at
     * once, announced or not: SAM's perturbed weights).
     *
     * @param embedding {@code [1, 256, 64, 64]}
     * @param boxes     {@code [N, 4]}, x0 y0 x1 y1 in the 256 x 256 input frame
     * @param multimask false: the single-mask token; true: the three multimask tokens
     */
    Prediction decode(INDArray embedding, INDArray boxes, boolean multimask);

    /**
     * As {@link #decode}, with weights that may be held from an earlier call of the same
     * {@link LiteMedSam#decoderWeightVersion()}: for inference, where nothing writes the weights.
     */
    Prediction decodeAtWeightVersion(INDArray embedding, INDArray boxes, boolean multimask);

    /**
     * A single-mask pass of the whole model.
     *
     * @param images {@code [B, 3, 256, 256]}
     * @param boxes  {@code [B K, 4]}, {@code K >= 1} boxes per image, image {@code i}'s at rows
     *               {@code i K .. i K + K - 1} (engines that take one box per image refuse {@code K > 1})
     */
    Pass forward(INDArray images, INDArray boxes, Mode mode);

    /**
     * Every BatchNorm's batch statistics of a {@link Mode#TRAINING} pass over {@code images}, the pass itself not
     * kept: what {@code train.BatchNormCalibration} pools. An engine may let go of the arrays it keeps for reuse by
     * training passes first (the next training pass pools them again), so that a calibration pass over more images
     * than a training batch does not add its tape to them.
     *
     * @param images {@code [B, 3, 256, 256]}
     * @param boxes  {@code [B, 4]}, one box per image (the statistics are the image encoder's and do not depend on it)
     */
    default List<ModelOutput.BatchNormStatistics> batchNormStatistics(INDArray images, INDArray boxes) {
        return forward(images, boxes, Mode.TRAINING).output().batchNormStatistics();
    }

    /**
     * A single-mask pass of the prompt encoder and mask decoder from precomputed embeddings (a frozen image
     * encoder); its backward has no image-encoder gradients.
     *
     * @param embedding {@code [B, 256, 64, 64]}
     * @param boxes     {@code [B, 4]}
     */
    Pass forwardFromEmbedding(INDArray embedding, INDArray boxes);

    /**
     * Every intermediate the parity fixture holds, in evaluation mode: {@code encoder_layer0..3},
     * {@code image_embedding}, {@code dense_pe}, {@code sparse_embedding}, {@code low_res_masks},
     * {@code iou_predictions}, {@code multimask_low_res_masks}, {@code multimask_iou_predictions}.
     */
    Map<String, INDArray> trace(INDArray images, INDArray boxes);
}

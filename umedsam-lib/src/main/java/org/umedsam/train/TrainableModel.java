package org.umedsam.train;

import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the trainer needs of a promptable segmentation model. {@link LiteMedSamModel} adapts
 * {@code org.umedsam.model.LiteMedSam}; tests use tiny models.
 */
public interface TrainableModel {
    /** Live parameters by name (in-place updates are seen by the next pass once announced with {@link #weightsChanged}). */
    Map<String, INDArray> parameters();

    /** Live non-trained state (BatchNorm running statistics) by name. */
    Map<String, INDArray> buffers();

    /**
     * Says that the named arrays of {@link #parameters()} or {@link #buffers()} were written in place, so that a
     * model keeping weight snapshots for its evaluation passes refreshes them. The default does nothing.
     */
    default void weightsChanged(java.util.Collection<String> names) {
    }

    /** Names of the model parameters a group trains (the log-sigmas are the trainer's). */
    Set<String> parameterNames(ParameterGroup group);

    /**
     * Forward pass.
     *
     * @param images [B, 3, 256, 256]
     * @param boxes  [B K, 4], x0 y0 x1 y1 in the 256 frame: K &gt;= 1 boxes per image, image i's at rows
     *               i K .. i K + K - 1 (models that take one box per image may refuse K &gt; 1)
     */
    Pass forward(INDArray images, INDArray boxes, boolean training);

    /**
     * Gradients of the surrogate {@code sum(logits * gradLogits) + sum(iou * gradIou)} with respect
     * to the parameters named in {@code wrt}, at the current parameter values.
     */
    Map<String, INDArray> gradients(INDArray images, INDArray boxes, INDArray gradLogits, INDArray gradIou,
                                    boolean training, Set<String> wrt);

    /**
     * As {@link #gradients}, for the batch and the weights of {@code pass}, a forward pass this model has just
     * made (weights unchanged since): a model that keeps a tape differentiates it without running the forward
     * pass again. The default recomputes through {@link #gradients}.
     */
    default Map<String, INDArray> backward(Pass pass, INDArray images, INDArray boxes, INDArray gradLogits,
                                           INDArray gradIou, boolean training, Set<String> wrt) {
        return gradients(images, boxes, gradLogits, gradIou, training, wrt);
    }

    /** Folds a training pass' batch statistics into the running statistics (PyTorch momentum). */
    void applyBatchNormStatistics(Pass pass, double momentum);

    /**
     * A forward pass' outputs.
     *
     * @param logits low-resolution mask logits [B, 1, H, W]
     * @param iou    IoU prediction [B, 1]
     * @param state  model-specific extras (BatchNorm batch statistics), handed back to
     *               {@link #applyBatchNormStatistics}
     */
    record Pass(INDArray logits, INDArray iou, Object state) {
    }
}

package org.umedsam.train;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;

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
     * A forward pass that can be differentiated ({@link Engine.Pass#backward}: gradients of the surrogate
     * {@code sum(logits * gradLogits) + sum(iou * gradIou)} at the pass' weights and batch).
     *
     * @param images [B, 3, 256, 256]
     * @param boxes  [B K, 4], x0 y0 x1 y1 in the 256 frame: K &gt;= 1 boxes per image, image i's at rows
     *               i K .. i K + K - 1 (models that take one box per image may refuse K &gt; 1)
     * @param training BatchNorm with batch statistics (in the pass' output) or running statistics
     */
    Engine.Pass forward(INDArray images, INDArray boxes, boolean training);

    /**
     * Every BatchNorm's batch statistics of a training pass over {@code images} with one box per image ({@code [B, 4]}),
     * the pass not kept: what {@link BatchNormCalibration} pools. The default runs {@link #forward}; a model may
     * use less memory ({@link Engine#batchNormStatistics}).
     */
    default List<ModelOutput.BatchNormStatistics> batchNormStatistics(INDArray images, INDArray boxes) {
        return forward(images, boxes, true).output().batchNormStatistics();
    }

    /** Folds a training pass' batch statistics ({@link ModelOutput#batchNormStatistics()}) into the running statistics (PyTorch momentum). */
    void applyBatchNormStatistics(ModelOutput output, double momentum);
}

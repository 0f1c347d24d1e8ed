package org.umedsam.loss;

/**
 * A segmentation loss on mask logits, computed in double precision outside the model's graph,
 * returning its value and its exact gradient with respect to the logits and the IoU prediction.
 * The trainer back-propagates the surrogate {@code sum(logits * gradLogits) + sum(iou * gradIou)}.
 */
public interface SegLoss {
    /** Short name used in configs and records ({@code dice}, {@code bce}, {@code mse}, {@code iou}, {@code sd}, {@code bd}). */
    String name();

    LossTerm evaluate(MaskBatch batch);

    /** The names of {@code losses}, in order. */
    static java.util.List<String> names(java.util.List<? extends SegLoss> losses) {
        return losses.stream().map(SegLoss::name).toList();
    }
}

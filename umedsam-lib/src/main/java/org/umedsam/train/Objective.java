package org.umedsam.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;
import org.umedsam.loss.CombinedLoss;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.loss.MaskBatch;
import org.umedsam.optim.Evaluation;
import org.umedsam.optim.GradientNorm;

/**
 * The function training minimises, at the model's current weights: forward pass, the loss outside the
 * model in float64 ({@link CompositeLoss} at given log-sigmas), and the backward pass of the surrogate
 * {@code sum(logits * gradLogits) + sum(iou * gradIou)} for the parameters in {@code wrt}, plus the
 * loss' own gradient for its log-sigmas ({@value #LOG_SIGMA}, [M]). The trainer's steps and the loss
 * landscape's gradient ascent evaluate the same function through it.
 *
 * <p>A loss term, the total or the gradient norm that is NaN or infinite goes to the injected
 * {@link NonFinite} before anything is changed (the trainer stops the run there).
 */
public final class Objective {
    /** Name of the loss' log-sigmas among the gradients (and the optimizer's parameters). */
    public static final String LOG_SIGMA = "loss.log_sigma";
    /** PyTorch's BatchNorm momentum, for folding a training pass' batch statistics. */
    public static final double BN_MOMENTUM = 0.1;

    /** Told of a value that is not finite; throws to stop, returns to go on. */
    @FunctionalInterface
    public interface NonFinite {
        /** Goes on whatever the values are (the landscape: a NaN point is a finding, not an error). */
        NonFinite ACCEPT = (term, value) -> {
        };

        /**
         * @param term  the loss term ({@code dice}, {@code sd}, ...), {@code total} or {@code grad_norm}
         * @param value its value
         */
        void found(String term, double value);
    }

    /**
     * A forward pass scored by the loss.
     *
     * @param masks the pass' outputs with the batch's targets (logits [B K, 1, H, W] as float64)
     * @param loss  the loss, its terms and its gradients with respect to the outputs
     */
    public record Scored(MaskBatch masks, CombinedLoss loss) {
    }

    private final TrainableModel model;
    private final CompositeLoss loss;
    private final Set<String> wrt;
    private final NonFinite nonFinite;

    /**
     * @param model     the model, evaluated at its live weights
     * @param loss      the loss
     * @param wrt       the model parameters differentiated
     * @param nonFinite what a non-finite loss or gradient norm does
     */
    public Objective(TrainableModel model, CompositeLoss loss, Set<String> wrt, NonFinite nonFinite) {
        this.model = model;
        this.loss = loss;
        this.wrt = wrt;
        this.nonFinite = nonFinite;
    }

    public CompositeLoss loss() {
        return loss;
    }

    /** Forward pass and loss only (validation, landscape points). */
    public Scored score(Batch b, double[] logSigmas, boolean training) {
        MaskBatch mb = maskBatch(b, model.forward(b.images(), b.boxes(), training).output());
        return new Scored(mb, loss.evaluate(mb, logSigmas));
    }

    /**
     * Forward pass, loss, backward pass: the gradients of the parameters in {@code wrt} (as the model gives
     * them) and, when the loss has log-sigmas, of {@value #LOG_SIGMA} [M] float64.
     *
     * @param training            BatchNorm on batch statistics (training) or running ones
     * @param foldBatchStatistics fold the pass' batch statistics into the running ones afterwards (a training
     *                            pass at the weights themselves; never SAM's perturbed pass)
     */
    public Evaluation<CombinedLoss> evaluate(Batch b, double[] logSigmas, boolean training,
                                             boolean foldBatchStatistics) {
        Engine.Pass pass = model.forward(b.images(), b.boxes(), training);
        ModelOutput out = pass.output();
        MaskBatch mb = maskBatch(b, out);
        CombinedLoss c = loss.evaluate(mb, logSigmas);
        checkFinite(c);
        INDArray gl = Nd4j.createFromArray(c.gradLogits()).reshape(out.lowResLogits().shape())
                .castTo(out.lowResLogits().dataType());
        INDArray gi = Nd4j.createFromArray(c.gradIou()).reshape(out.iou().shape()).castTo(out.iou().dataType());
        Map<String, INDArray> grads = new LinkedHashMap<>(pass.backward(gl, gi, wrt));
        if (loss.logSigmaCount() > 0) {
            grads.put(LOG_SIGMA, Nd4j.createFromArray(c.gradLogSigma()));
        }
        if (nonFinite != NonFinite.ACCEPT) {
            double norm = GradientNorm.of(grads);
            if (!Double.isFinite(norm)) {
                nonFinite.found("grad_norm", norm);
            }
        }
        if (foldBatchStatistics) {
            model.applyBatchNormStatistics(out, BN_MOMENTUM);
        }
        return new Evaluation<>(grads, c);
    }

    private void checkFinite(CombinedLoss c) {
        for (Map.Entry<String, Double> e : c.terms().entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                nonFinite.found(e.getKey(), e.getValue());
            }
        }
        if (!Double.isFinite(c.total())) {
            nonFinite.found("total", c.total());
        }
    }

    private static MaskBatch maskBatch(Batch b, ModelOutput out) {
        long[] s = out.lowResLogits().shape();
        if (s.length != 4 || s[0] != b.size() || s[1] != 1) {
            throw new IllegalStateException("model returned logits of shape " + Arrays.toString(s)
                    + ", expected [" + b.size() + ", 1, H, W]");
        }
        return new MaskBatch(b.size(), (int) s[2], (int) s[3], StateArrays.toDoubles(out.lowResLogits()),
                StateArrays.toDoubles(out.iou()), b.maps());
    }
}

package org.umedsam.loss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sum_m w_m L_m} with fixed weights; LiteMedSAM's baseline is Dice + BCE + IoU, all weights 1. */
public final class FixedWeightedLoss implements CompositeLoss {
    private final List<SegLoss> terms;
    private final double[] weights;

    public FixedWeightedLoss(List<SegLoss> terms, double[] weights) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a weighted loss needs at least one term");
        }
        if (weights.length != terms.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + terms.size() + " terms");
        }
        this.terms = List.copyOf(terms);
        this.weights = weights.clone();
    }

    /** All weights 1. */
    public static FixedWeightedLoss unitWeights(List<SegLoss> terms) {
        double[] w = new double[terms.size()];
        java.util.Arrays.fill(w, 1.0);
        return new FixedWeightedLoss(terms, w);
    }

    @Override
    public List<String> termNames() {
        return SegLoss.names(terms);
    }

    @Override
    public int logSigmaCount() {
        return 0;
    }

    @Override
    public CombinedLoss evaluate(MaskBatch batch, double[] logSigmas) {
        double[] gl = new double[batch.logits().length];
        double[] gi = new double[batch.batchSize()];
        Map<String, Double> values = new LinkedHashMap<>();
        double total = 0;
        for (int m = 0; m < terms.size(); m++) {
            LossTerm t = terms.get(m).evaluate(batch);
            values.put(t.name(), t.value());
            total += weights[m] * t.value();
            axpy(weights[m], t.gradLogits(), gl);
            axpy(weights[m], t.gradIou(), gi);
        }
        return new CombinedLoss(total, values, new double[0], gl, gi);
    }

    static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }
}

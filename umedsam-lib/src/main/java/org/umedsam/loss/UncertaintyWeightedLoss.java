package org.umedsam.loss;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Homoscedastic-uncertainty weighting of several losses (Kendall et al. 2018) with learnable
 * {@code s_m = log sigma_m}, as U-MedSAM trains it. Two forms:
 * <ul>
 *   <li>{@link Form#PAPER}, U-MedSAM's Eq. 1: {@code sum_m exp(-2 s_m)/2 * L_m + s_m};
 *       {@code d/ds_m = -exp(-2 s_m) L_m + 1}, optimum {@code s = log(sqrt(L))};</li>
 *   <li>{@link Form#CODE}, the U-MedSAM code's variant:
 *       {@code sum_m 0.5/sigma_m^2 * L_m + log(1 + sigma_m^2)}, {@code sigma_m = exp(s_m)};
 *       {@code d/ds_m = -exp(-2 s_m) L_m + 2 sigma_m^2 / (1 + sigma_m^2)}.</li>
 * </ul>
 * Both start at sigma = 1 (s = 0). Here the learnable parameter is {@code s} in both forms
 * (upstream's code form optimises sigma itself; with Adam the two parametrisations follow
 * different paths, not different optima).
 */
public final class UncertaintyWeightedLoss implements CompositeLoss {

    /** Which formula combines the terms. */
    public enum Form { PAPER, CODE }

    private final List<SegLoss> terms;
    private final Form form;

    public UncertaintyWeightedLoss(List<SegLoss> terms, Form form) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("an uncertainty-weighted loss needs at least one term");
        }
        this.terms = List.copyOf(terms);
        this.form = java.util.Objects.requireNonNull(form, "form");
    }

    public Form form() {
        return form;
    }

    @Override
    public List<String> termNames() {
        return SegLoss.names(terms);
    }

    @Override
    public int logSigmaCount() {
        return terms.size();
    }

    /** The weight multiplying L_m: {@code exp(-2 s)/2 = 1/(2 sigma^2)} in both forms. */
    public static double effectiveWeight(double s) {
        return 0.5 * Math.exp(-2 * s);
    }

    /** The regulariser of one term and its derivative in s: value at index 0, derivative at 1. */
    double[] regulariser(double s) {
        if (form == Form.PAPER) {
            return new double[] {s, 1.0};
        }
        double sigma2 = Math.exp(2 * s);
        // log(1 + e^{2s}) computed stably for large s
        double value = 2 * s > 30 ? 2 * s + Math.log1p(Math.exp(-2 * s)) : Math.log1p(sigma2);
        return new double[] {value, 2 * sigma2 / (1 + sigma2)};
    }

    /** The total for given term values (no gradients); for tests and analysis. */
    public double total(double[] termValues, double[] logSigmas) {
        double total = 0;
        for (int m = 0; m < termValues.length; m++) {
            total += effectiveWeight(logSigmas[m]) * termValues[m] + regulariser(logSigmas[m])[0];
        }
        return total;
    }

    @Override
    public CombinedLoss evaluate(MaskBatch batch, double[] logSigmas) {
        if (logSigmas.length != terms.size()) {
            throw new IllegalArgumentException(logSigmas.length + " log-sigmas for " + terms.size() + " terms");
        }
        double[] gl = new double[batch.logits().length];
        double[] gi = new double[batch.batchSize()];
        double[] gs = new double[terms.size()];
        Map<String, Double> values = new LinkedHashMap<>();
        double total = 0;
        for (int m = 0; m < terms.size(); m++) {
            LossTerm t = terms.get(m).evaluate(batch);
            values.put(t.name(), t.value());
            double s = logSigmas[m];
            double w = effectiveWeight(s);
            double[] reg = regulariser(s);
            total += w * t.value() + reg[0];
            gs[m] = -2 * w * t.value() + reg[1];
            FixedWeightedLoss.axpy(w, t.gradLogits(), gl);
            FixedWeightedLoss.axpy(w, t.gradIou(), gi);
        }
        return new CombinedLoss(total, values, gs, gl, gi);
    }
}

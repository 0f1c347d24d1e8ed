package org.umedsam.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch's {@code ReduceLROnPlateau} in mode {@code min} with relative threshold: after each epoch
 * {@code step(metric)}; a metric is better when {@code metric < best * (1 - threshold)}; after more
 * than {@code patience} epochs without improvement the learning rate becomes
 * {@code max(lr * factor, minLr)} (changed only if it moves by more than 1e-8), then
 * {@code cooldown} epochs pass before bad epochs count again. U-MedSAM: factor 0.9, patience 5,
 * cooldown 0, threshold 1e-4.
 */
public final class ReduceLrOnPlateau {

    public record Config(double factor, int patience, double threshold, int cooldown, double minLr) {
        public Config {
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("factor must lie in (0, 1), got " + factor);
            }
            if (patience < 0 || cooldown < 0) {
                throw new IllegalArgumentException("patience and cooldown must be >= 0, got " + patience + ", "
                        + cooldown);
            }
            if (!(threshold >= 0) || !(minLr >= 0)) {
                throw new IllegalArgumentException("threshold and minLr must be >= 0");
            }
        }

        public static Config defaults() {
            return new Config(0.9, 5, 1e-4, 0, 0.0);
        }
    }

    private static final double EPS = 1e-8;
    private final Config config;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;
    private int cooldownCounter;
    private int epochs;

    public ReduceLrOnPlateau(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** Records one epoch's metric and lowers the optimizer's learning rate when it plateaus; returns the lr. */
    public double step(double metric, Optimizer optimizer) {
        epochs++;
        if (metric < best * (1 - config.threshold())) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > config.patience()) {
            double old = optimizer.learningRate();
            double lowered = Math.max(old * config.factor(), config.minLr());
            if (old - lowered > EPS) {
                optimizer.setLearningRate(lowered);
            }
            cooldownCounter = config.cooldown();
            badEpochs = 0;
        }
        return optimizer.learningRate();
    }

    public double best() {
        return best;
    }

    public int badEpochs() {
        return badEpochs;
    }

    public Map<String, Double> stateDict() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("best", best);
        s.put("bad_epochs", (double) badEpochs);
        s.put("cooldown_counter", (double) cooldownCounter);
        s.put("epochs", (double) epochs);
        return s;
    }

    public void loadStateDict(Map<String, Double> s) {
        best = s.get("best");
        badEpochs = s.get("bad_epochs").intValue();
        cooldownCounter = s.get("cooldown_counter").intValue();
        epochs = s.get("epochs").intValue();
    }
}

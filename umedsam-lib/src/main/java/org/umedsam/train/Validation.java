package org.umedsam.train;

import java.util.HashMap;
import java.util.Map;
import org.umedsam.loss.TargetMaps;
import org.umedsam.metrics.Dice;

/**
 * The per-epoch validation pass: the loss and the DSC of the validation items at the current weights, in
 * evaluation mode (running BatchNorm statistics), one box per image, in batches of the run's batch size.
 * The validation items are the same every epoch, so their target maps are computed once.
 */
public final class Validation {
    /**
     * @param loss mean validation loss per item
     * @param dsc  mean DSC over the items whose Dice is defined ({@link #dice}: not both masks empty), NaN when none is
     */
    public record Score(double loss, double dsc) {
        /** Without a validation split. */
        public static final Score NONE = new Score(Double.NaN, Double.NaN);
    }

    private final TrainingSource source;
    private final Objective objective;
    private final int batchSize;
    private final Map<Long, TargetMaps> maps = new HashMap<>();

    /**
     * @param source    validation items, or null without a validation split
     * @param objective the run's objective (its model and loss)
     * @param batchSize images per pass
     */
    public Validation(TrainingSource source, Objective objective, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.source = source;
        this.objective = objective;
        this.batchSize = batchSize;
    }

    /** Whether there are validation items to score. */
    public boolean hasItems() {
        return source != null && source.epochSize(0) > 0;
    }

    /** The score at the current weights and {@code logSigmas}; {@link Score#NONE} without validation items. */
    public Score run(double[] logSigmas) {
        if (!hasItems()) {
            return Score.NONE;
        }
        double lossSum = 0;
        double dscSum = 0;
        int scored = 0;
        int n = source.epochSize(0);
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            Batch b = Batch.load(source, 0, from, count, 1, maps);
            Objective.Scored s = objective.score(b, logSigmas, false);
            lossSum += s.loss().total() * count;
            int plane = s.masks().plane();
            for (int item = 0; item < count; item++) {
                double d = dice(s.masks().logits(), item * plane, b.maps()[item].target());
                if (!Double.isNaN(d)) {
                    dscSum += d;
                    scored++;
                }
            }
        }
        return new Score(lossSum / n, scored == 0 ? Double.NaN : dscSum / scored);
    }

    /**
     * DSC of {@code logits > 0} against {@code target > 0.5}, by the toolkit's one Dice
     * ({@link Dice#fromCounts}): NaN when both masks are empty, the challenge's convention.
     */
    static double dice(double[] logits, int offset, double[] target) {
        long inter = 0;
        long p = 0;
        long t = 0;
        for (int i = 0; i < target.length; i++) {
            boolean a = logits[offset + i] > 0;
            boolean c = target[i] > 0.5;
            if (a) {
                p++;
            }
            if (c) {
                t++;
            }
            if (a && c) {
                inter++;
            }
        }
        return Dice.fromCounts(t, p, inter);
    }
}

package org.umedsam.loss;

/**
 * Boundary-aware shape-distance loss (Huang et al. 2021, as in MONAI PR #4205 and the U-MedSAM
 * code): per item {@code sum|D - p| / sum(p)} with {@code p = sigmoid(logits)} and {@code D} the
 * target's {@link TargetMaps#shapeDistanceMap()}; mean over the batch.
 *
 * <p>Empty-prediction guard: the denominator is {@code max(sum(p), minMass)} (default
 * {@link #DEFAULT_MIN_MASS} = 1 pixel of probability mass). Upstream divides by {@code sum(p)}
 * unguarded, which blows up when a prediction collapses to nothing; with the guard the item's loss
 * becomes {@code sum|D - p|} (bounded by the target's area plus the prediction's mass) and, as
 * with a clamp, the denominator then passes no gradient. The guard never acts on realistic
 * predictions (sigmoid mass over 256x256 pixels is far above 1) so values equal upstream's.
 */
public final class ShapeDistanceLoss extends ItemMeanLoss {
    public static final double DEFAULT_MIN_MASS = 1.0;
    private final double minMass;

    public ShapeDistanceLoss() {
        this(DEFAULT_MIN_MASS);
    }

    public ShapeDistanceLoss(double minMass) {
        if (!(minMass > 0) || Double.isInfinite(minMass)) {
            throw new IllegalArgumentException("minMass must be positive and finite, got " + minMass);
        }
        this.minMass = minMass;
    }

    @Override
    public String name() {
        return "sd";
    }

    @Override
    double item(double[] p, TargetMaps target, double[] dp) {
        double[] d = target.shapeDistanceMap();
        double mass = 0;
        double dist = 0;
        for (int i = 0; i < p.length; i++) {
            mass += p[i];
            dist += Math.abs(d[i] - p[i]);
        }
        boolean guarded = mass < minMass;
        double den = guarded ? minMass : mass;
        for (int i = 0; i < p.length; i++) {
            double sign = Math.signum(p[i] - d[i]);
            dp[i] = sign / den - (guarded ? 0.0 : dist / (den * den));
        }
        return dist / den;
    }
}

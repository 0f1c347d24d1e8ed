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
public final class ShapeDistanceLoss implements SegLoss {
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
    public LossTerm evaluate(MaskBatch b) {
        int plane = b.plane();
        double[] g = new double[b.logits().length];
        double total = 0;
        double[] p = new double[plane];
        for (int item = 0; item < b.batchSize(); item++) {
            double[] d = b.targets()[item].shapeDistanceMap();
            int off = item * plane;
            double mass = 0;
            double dist = 0;
            for (int i = 0; i < plane; i++) {
                p[i] = MaskBatch.sigmoid(b.logits()[off + i]);
                mass += p[i];
                dist += Math.abs(d[i] - p[i]);
            }
            boolean guarded = mass < minMass;
            double den = guarded ? minMass : mass;
            total += dist / den;
            for (int i = 0; i < plane; i++) {
                double sign = Math.signum(p[i] - d[i]);
                double dp = sign / den - (guarded ? 0.0 : dist / (den * den));
                g[off + i] = dp * p[i] * (1 - p[i]) / b.batchSize();
            }
        }
        return new LossTerm(name(), total / b.batchSize(), g, new double[b.batchSize()]);
    }
}

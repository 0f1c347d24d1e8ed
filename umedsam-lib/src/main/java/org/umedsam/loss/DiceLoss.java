package org.umedsam.loss;

/**
 * Soft Dice loss, MONAI's {@code DiceLoss(sigmoid=True, squared_pred=True, reduction="mean")} as
 * LiteMedSAM trains with it: per item
 * {@code 1 - (2 sum(p t) + 1e-5) / (sum(p^2) + sum(t^2) + 1e-5)}, {@code p = sigmoid(logits)},
 * sums over H and W; mean over the batch.
 */
public final class DiceLoss implements SegLoss {
    /** MONAI's smooth_nr = smooth_dr. */
    public static final double SMOOTH = 1e-5;

    @Override
    public String name() {
        return "dice";
    }

    @Override
    public LossTerm evaluate(MaskBatch b) {
        int plane = b.plane();
        double[] g = new double[b.logits().length];
        double total = 0;
        for (int item = 0; item < b.batchSize(); item++) {
            double[] t = b.targets()[item].target();
            int off = item * plane;
            double inter = 0;
            double pp = 0;
            double tt = 0;
            for (int i = 0; i < plane; i++) {
                double p = MaskBatch.sigmoid(b.logits()[off + i]);
                inter += p * t[i];
                pp += p * p;
                tt += t[i] * t[i];
            }
            double num = 2 * inter + SMOOTH;
            double den = pp + tt + SMOOTH;
            total += 1.0 - num / den;
            // d/dp [1 - num/den] = -2t/den + num * 2p / den^2, then times dp/dx = p(1-p), / B
            for (int i = 0; i < plane; i++) {
                double p = MaskBatch.sigmoid(b.logits()[off + i]);
                double dp = -2.0 * t[i] / den + num * 2.0 * p / (den * den);
                g[off + i] = dp * p * (1 - p) / b.batchSize();
            }
        }
        return new LossTerm(name(), total / b.batchSize(), g, new double[b.batchSize()]);
    }
}

package org.umedsam.loss;

/**
 * Soft Dice loss, MONAI's {@code DiceLoss(sigmoid=True, squared_pred=True, reduction="mean")} as
 * LiteMedSAM trains with it: per item
 * {@code 1 - (2 sum(p t) + 1e-5) / (sum(p^2) + sum(t^2) + 1e-5)}, {@code p = sigmoid(logits)},
 * sums over H and W; mean over the batch.
 */
public final class DiceLoss extends ItemMeanLoss {
    /** MONAI's smooth_nr = smooth_dr. */
    public static final double SMOOTH = 1e-5;

    @Override
    public String name() {
        return "dice";
    }

    @Override
    double item(double[] p, TargetMaps target, double[] dp) {
        double[] t = target.target();
        double inter = 0;
        double pp = 0;
        double tt = 0;
        for (int i = 0; i < p.length; i++) {
            inter += p[i] * t[i];
            pp += p[i] * p[i];
            tt += t[i] * t[i];
        }
        double num = 2 * inter + SMOOTH;
        double den = pp + tt + SMOOTH;
        // d/dp [1 - num/den] = -2t/den + num * 2p / den^2
        for (int i = 0; i < p.length; i++) {
            dp[i] = -2.0 * t[i] / den + num * 2.0 * p[i] / (den * den);
        }
        return 1.0 - num / den;
    }
}

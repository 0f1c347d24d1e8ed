package org.umedsam.loss;

/**
 * A loss that is the mean over the batch of a per-item function of the item's probabilities
 * {@code p = sigmoid(logits) [H*W]} and its target maps (Dice, shape distance: ratios of sums over the
 * item's pixels). Subclasses give the item's value and {@code dLoss_item/dp}; the sigmoid, the chain rule
 * through it ({@code dp/dx = p (1 - p)}), the batch mean and the gradient layout live here once. The IoU
 * prediction gets no gradient.
 */
abstract class ItemMeanLoss implements SegLoss {

    /**
     * @param p      the item's {@code sigmoid(logits)}, {@code [H*W]}
     * @param target the item's target maps
     * @param dp     {@code [H*W]}, OVERWRITTEN with {@code dLoss_item/dp}
     * @return the item's loss
     */
    abstract double item(double[] p, TargetMaps target, double[] dp);

    @Override
    public final LossTerm evaluate(MaskBatch b) {
        int plane = b.plane();
        int batch = b.batchSize();
        double[] g = new double[b.logits().length];
        double[] p = new double[plane];
        double[] dp = new double[plane];
        double total = 0;
        for (int item = 0; item < batch; item++) {
            int off = item * plane;
            for (int i = 0; i < plane; i++) {
                p[i] = MaskBatch.sigmoid(b.logits()[off + i]);
            }
            total += item(p, b.targets()[item], dp);
            for (int i = 0; i < plane; i++) {
                g[off + i] = dp[i] * p[i] * (1 - p[i]) / batch;
            }
        }
        return new LossTerm(name(), total / batch, g, new double[batch]);
    }
}

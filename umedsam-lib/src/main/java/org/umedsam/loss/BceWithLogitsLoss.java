package org.umedsam.loss;

/**
 * Binary cross-entropy on logits, PyTorch's {@code BCEWithLogitsLoss(reduction="mean")}, in the
 * stable form {@code max(x, 0) - x t + log(1 + exp(-|x|))}, mean over all B*H*W pixels.
 * Gradient {@code (sigmoid(x) - t) / (B H W)}.
 */
public final class BceWithLogitsLoss implements SegLoss {
    @Override
    public String name() {
        return "bce";
    }

    @Override
    public LossTerm evaluate(MaskBatch b) {
        int plane = b.plane();
        int n = b.logits().length;
        double[] g = new double[n];
        double sum = 0;
        for (int item = 0; item < b.batchSize(); item++) {
            double[] t = b.targets()[item].target();
            int off = item * plane;
            for (int i = 0; i < plane; i++) {
                double x = b.logits()[off + i];
                sum += Math.max(x, 0) - x * t[i] + Math.log1p(Math.exp(-Math.abs(x)));
                g[off + i] = (MaskBatch.sigmoid(x) - t[i]) / n;
            }
        }
        return new LossTerm(name(), sum / n, g, new double[b.batchSize()]);
    }
}

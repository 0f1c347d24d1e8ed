package org.umedsam.loss;

/** Mean squared error between {@code sigmoid(logits)} and the target, mean over all B*H*W pixels. */
public final class PixelMseLoss implements SegLoss {
    @Override
    public String name() {
        return "mse";
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
                double p = MaskBatch.sigmoid(b.logits()[off + i]);
                double d = p - t[i];
                sum += d * d;
                g[off + i] = 2 * d * p * (1 - p) / n;
            }
        }
        return new LossTerm(name(), sum / n, g, new double[b.batchSize()]);
    }
}

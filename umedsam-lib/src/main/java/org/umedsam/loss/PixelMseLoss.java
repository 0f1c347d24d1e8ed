package org.umedsam.loss;

/** Mean squared error between {@code sigmoid(logits)} and the target, mean over all B*H*W pixels. */
public final class PixelMseLoss extends PixelMeanLoss {
    @Override
    public String name() {
        return "mse";
    }

    @Override
    double[] map(TargetMaps target) {
        return target.target();
    }

    @Override
    double value(double x, double t) {
        double d = MaskBatch.sigmoid(x) - t;
        return d * d;
    }

    @Override
    double derivative(double x, double t) {
        double p = MaskBatch.sigmoid(x);
        return 2 * (p - t) * p * (1 - p);
    }
}

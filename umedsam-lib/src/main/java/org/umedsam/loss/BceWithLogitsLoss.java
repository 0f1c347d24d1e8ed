package org.umedsam.loss;

/**
 * Binary cross-entropy on logits, PyTorch's {@code BCEWithLogitsLoss(reduction="mean")}, in the
 * stable form {@code max(x, 0) - x t + log(1 + exp(-|x|))}, mean over all B*H*W pixels.
 * Gradient {@code (sigmoid(x) - t) / (B H W)}.
 */
public final class BceWithLogitsLoss extends PixelMeanLoss {
    @Override
    public String name() {
        return "bce";
    }

    @Override
    double[] map(TargetMaps target) {
        return target.target();
    }

    @Override
    double value(double x, double t) {
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    }

    @Override
    double derivative(double x, double t) {
        return MaskBatch.sigmoid(x) - t;
    }
}

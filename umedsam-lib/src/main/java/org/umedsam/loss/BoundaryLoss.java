package org.umedsam.loss;

/**
 * Boundary loss of Kervadec et al. 2019 ("Boundary loss for highly unbalanced segmentation"):
 * {@code mean(p * phi)} over all B*H*W pixels, {@code phi} the target's signed distance map
 * ({@link TargetMaps#signedDistanceMap()}: positive outside, non-positive inside, 0 for an empty
 * target).
 */
public final class BoundaryLoss extends PixelMeanLoss {
    @Override
    public String name() {
        return "bd";
    }

    @Override
    double[] map(TargetMaps target) {
        return target.signedDistanceMap();
    }

    @Override
    double value(double x, double phi) {
        return MaskBatch.sigmoid(x) * phi;
    }

    @Override
    double derivative(double x, double phi) {
        double p = MaskBatch.sigmoid(x);
        return phi * p * (1 - p);
    }
}

package org.umedsam.loss;

/**
 * Boundary loss of Kervadec et al. 2019 ("Boundary loss for highly unbalanced segmentation"):
 * {@code mean(p * phi)} over all B*H*W pixels, {@code phi} the target's signed distance map
 * ({@link TargetMaps#signedDistanceMap()}: positive outside, non-positive inside, 0 for an empty
 * target).
 */
public final class BoundaryLoss implements SegLoss {
    @Override
    public String name() {
        return "bd";
    }

    @Override
    public LossTerm evaluate(MaskBatch b) {
        int plane = b.plane();
        int n = b.logits().length;
        double[] g = new double[n];
        double sum = 0;
        for (int item = 0; item < b.batchSize(); item++) {
            double[] phi = b.targets()[item].signedDistanceMap();
            int off = item * plane;
            for (int i = 0; i < plane; i++) {
                double p = MaskBatch.sigmoid(b.logits()[off + i]);
                sum += p * phi[i];
                g[off + i] = phi[i] * p * (1 - p) / n;
            }
        }
        return new LossTerm(name(), sum / n, g, new double[b.batchSize()]);
    }
}

package org.umedsam.loss;

/**
 * A loss that is the mean of a per-pixel function {@code f(x, m)} over all B*H*W pixels, where
 * {@code x} is a logit and {@code m} the same pixel of a per-target map (the binary target, or a
 * distance map). Subclasses give {@code f} and {@code df/dx}; the loop, the mean and the gradient
 * layout live here once. The IoU prediction gets no gradient.
 */
abstract class PixelMeanLoss implements SegLoss {

    /** The per-target map that {@code m} is read from, {@code [H*W]}. */
    abstract double[] map(TargetMaps target);

    /** {@code f(x, m)}. */
    abstract double value(double x, double m);

    /** {@code df/dx (x, m)}. */
    abstract double derivative(double x, double m);

    @Override
    public final LossTerm evaluate(MaskBatch b) {
        int plane = b.plane();
        int n = b.logits().length;
        double[] g = new double[n];
        double sum = 0;
        for (int item = 0; item < b.batchSize(); item++) {
            double[] m = map(b.targets()[item]);
            int off = item * plane;
            for (int i = 0; i < plane; i++) {
                double x = b.logits()[off + i];
                sum += value(x, m[i]);
                g[off + i] = derivative(x, m[i]) / n;
            }
        }
        return new LossTerm(name(), sum / n, g, new double[b.batchSize()]);
    }
}

package org.umedsam.data;

import java.util.Random;

/**
 * Random intensity and contrast changes of a prepared image, the kind nnU-Net and MedSAM-style
 * trainers use so that a model does not learn one scanner's grey levels: with probability
 * {@value #P}, a gamma {@code x^g} with {@code ln g ~ U(-0.4, 0.4)}, then a contrast scale
 * {@code c ~ U(0.75, 1.25)} about the image mean, then a brightness shift {@code b ~ U(-0.1, 0.1)},
 * clipped to {@code [0, 1]}. Applied to the image content only (an {@code h x w} block), so the zero
 * padding stays zero as at inference; the same change for all three channels.
 */
public final class IntensityAugmentation {
    /** Probability that an image is changed at all. */
    public static final double P = 0.8;

    private IntensityAugmentation() {
    }

    /**
     * Changes {@code chw} ({@code [3, side, side]}, values in [0, 1]) in place inside its content, the
     * {@code h x w} block at {@code (top, left)}; draws exactly four numbers from {@code rng} whether or
     * not it changes the image, so later draws do not depend on the outcome.
     */
    public static void apply(float[] chw, int side, int top, int left, int h, int w, Random rng) {
        boolean on = rng.nextDouble() < P;
        double gamma = Math.exp(-0.4 + 0.8 * rng.nextDouble());
        double contrast = 0.75 + 0.5 * rng.nextDouble();
        double brightness = -0.1 + 0.2 * rng.nextDouble();
        if (!on) {
            return;
        }
        double sum = 0;
        long n = 0;
        int plane = side * side;
        for (int c = 0; c < 3; c++) {
            for (int y = top; y < top + h; y++) {
                int row = c * plane + y * side;
                for (int x = left; x < left + w; x++) {
                    float v = (float) Math.pow(Math.max(0f, chw[row + x]), gamma);
                    chw[row + x] = v;
                    sum += v;
                    n++;
                }
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        for (int c = 0; c < 3; c++) {
            for (int y = top; y < top + h; y++) {
                int row = c * plane + y * side;
                for (int x = left; x < left + w; x++) {
                    double v = (chw[row + x] - mean) * contrast + mean + brightness;
                    chw[row + x] = (float) Math.min(1.0, Math.max(0.0, v));
                }
            }
        }
    }
}

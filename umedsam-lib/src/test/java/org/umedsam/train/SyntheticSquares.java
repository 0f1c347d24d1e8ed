package org.umedsam.train;

import java.util.Random;

/** Rectangles on noise: channel 0 is brighter inside the mask; the box is jittered by the seed. */
final class SyntheticSquares implements IndexedExamples {
    private final int n;
    private final int size;
    private final long base;
    private final int nanIndex;

    SyntheticSquares(int n, int size, long base) {
        this(n, size, base, -1);
    }

    /** {@code nanIndex >= 0}: that item's image is NaN (to test the non-finite loss error). */
    SyntheticSquares(int n, int size, long base, int nanIndex) {
        this.n = n;
        this.size = size;
        this.base = base;
        this.nanIndex = nanIndex;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public boolean masksIndependentOfSeed() {
        return true;
    }

    @Override
    public TrainingExample example(int index, long seed) {
        Random shape = new Random(base * 1000 + index);
        int h = size;
        int w = size;
        int y0 = 1 + shape.nextInt(h / 3);
        int x0 = 1 + shape.nextInt(w / 3);
        int y1 = y0 + h / 4 + shape.nextInt(h / 3);
        int x1 = x0 + w / 4 + shape.nextInt(w / 3);
        byte[] mask = new byte[h * w];
        float[] image = new float[3 * h * w];
        Random noise = new Random(base * 7919 + index);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = y >= y0 && y < y1 && x >= x0 && x < x1;
                mask[y * w + x] = (byte) (in ? 1 : 0);
                image[y * w + x] = (in ? 0.7f : 0.2f) + 0.1f * (float) noise.nextGaussian();
                image[h * w + y * w + x] = (float) noise.nextDouble();
                image[2 * h * w + y * w + x] = 0.5f;
            }
        }
        if (index == nanIndex) {
            image[0] = Float.NaN;
        }
        Random jitter = new Random(seed);
        float[] box = {x0 - jitter.nextInt(3), y0 - jitter.nextInt(3), x1 - 1 + jitter.nextInt(3),
            y1 - 1 + jitter.nextInt(3)};
        return new TrainingExample("sq" + index, image, box, mask, h, w, "synthetic");
    }
}

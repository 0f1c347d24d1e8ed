package org.umedsam.loss;

import java.util.Arrays;

/**
 * What a loss sees: mask logits [B, 1, H, W] (C-order, double), the IoU head's prediction [B, 1],
 * and one {@link TargetMaps} per item.
 */
public record MaskBatch(int batchSize, int height, int width, double[] logits, double[] iouPred,
                        TargetMaps[] targets) {

    public MaskBatch {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        int plane = height * width;
        if (logits.length != batchSize * plane) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, expected [" + batchSize
                    + ", 1, " + height + ", " + width + "]");
        }
        if (iouPred.length != batchSize) {
            throw new IllegalArgumentException("iouPred holds " + iouPred.length + " values, expected [" + batchSize
                    + ", 1]");
        }
        if (targets.length != batchSize) {
            throw new IllegalArgumentException(targets.length + " targets for a batch of " + batchSize);
        }
        for (TargetMaps t : targets) {
            if (t.height() != height || t.width() != width) {
                throw new IllegalArgumentException("target " + t.height() + "x" + t.width() + " does not match logits "
                        + height + "x" + width);
            }
        }
    }

    public int plane() {
        return height * width;
    }

    /** sigmoid(logits), [B, 1, H, W]. */
    public double[] probabilities() {
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = sigmoid(logits[i]);
        }
        return p;
    }

    /** A copy with other logits (same shape); used by finite-difference checks. */
    public MaskBatch withLogits(double[] newLogits) {
        return new MaskBatch(batchSize, height, width, newLogits, iouPred, targets);
    }

    /** A copy with another IoU prediction. */
    public MaskBatch withIouPred(double[] newIou) {
        return new MaskBatch(batchSize, height, width, logits, newIou, targets);
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    @Override
    public String toString() {
        return "MaskBatch[" + batchSize + ", 1, " + height + ", " + width + "] iou=" + Arrays.toString(iouPred);
    }
}

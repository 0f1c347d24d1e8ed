package org.umedsam.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies the data package's flat arrays into ND4J arrays (float32, C order), for the model and
 * the trainer. Nothing else in this package touches ND4J.
 */
public final class Nd4jArrays {
    private Nd4jArrays() {
    }

    /** {@code [B, 3, 256, 256]}. */
    public static INDArray images(SampleBatch b) {
        return Nd4j.create(b.images(), b.imageShape(), 'c');
    }

    /** {@code [B, 4]} x0, y0, x1, y1 in the 256 frame. */
    public static INDArray boxes(SampleBatch b) {
        return Nd4j.create(b.boxes(), b.boxShape(), 'c');
    }

    /** {@code [B, 1, 256, 256]} 0/1 targets. */
    public static INDArray masks(SampleBatch b) {
        return Nd4j.create(b.masks(), b.maskShape(), 'c');
    }

    /** {@code [1, 3, side, side]}, the encoder input for one image. */
    public static INDArray image(PreparedImage p) {
        return Nd4j.create(p.chw(), new long[] {1, 3, p.side(), p.side()}, 'c');
    }

    /** {@code [1, 4]} from a box in the model frame. */
    public static INDArray box(double[] box256) {
        if (box256.length != 4) {
            throw new IllegalArgumentException("a box has 4 values, got " + box256.length);
        }
        float[] f = new float[4];
        for (int i = 0; i < 4; i++) {
            f[i] = (float) box256[i];
        }
        return Nd4j.create(f, new long[] {1, 4}, 'c');
    }
}

package org.umedsam.model.cpu;

import java.util.List;

/**
 * TinyViT patch merging for training, channel-last per image: 1x1 Conv2d_BN dim -> out, GELU, depthwise 3x3
 * Conv2d_BN with the stage's stride, GELU, 1x1 Conv2d_BN. {@code [side*side, dim] -> [side'*side', out]}.
 * The two hidden activations are not kept: the backward recomputes them from the tapes (BatchNorm and GELU of
 * the stored convolution outputs), bit for bit.
 */
final class PatchMergingTraining {

    private final Conv2dBnTraining conv1;
    private final Conv2dBnTraining conv2;
    private final Conv2dBnTraining conv3;

    record Tape(Conv2dBnTraining.Tape t1, Conv2dBnTraining.Tape t2, Conv2dBnTraining.Tape t3) {
        List<Conv2dBnTraining.Tape> norms() {
            return List.of(t1, t2, t3);
        }
    }

    PatchMergingTraining(StateDictWeights w, String prefix, int dim, int out, int stride) {
        conv1 = new Conv2dBnTraining(w, prefix + ".conv1", Conv2dBnTraining.Kind.POINTWISE, dim, out, 1, true, true);
        conv2 = new Conv2dBnTraining(w, prefix + ".conv2", Conv2dBnTraining.Kind.DEPTHWISE, out, out, stride, true, true);
        conv3 = new Conv2dBnTraining(w, prefix + ".conv3", Conv2dBnTraining.Kind.POINTWISE, out, out, 1, true, false);
    }

    int outputSide(int side) {
        return conv2.outputSide(side);
    }

    Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        float[][] h1 = new float[b][];
        Conv2dBnTraining.Tape t1 = conv1.forward(x, side, batchStatistics, h1);
        float[][] h2 = new float[b][];
        Conv2dBnTraining.Tape t2 = conv2.forward(h1, side, batchStatistics, h2);
        Conv2dBnTraining.Tape t3 = conv3.forward(h2, outputSide(side), batchStatistics, out);
        return new Tape(t1, t2.withoutInput(), t3.withoutInput());
    }

    /** {@code dOut} (overwritten) -> dLoss/dx per image. */
    float[][] backward(Tape t, float[][] dOut, GradientSums g) {
        float[][] d = conv3.backward(t.t3().withInput(conv2.output(t.t2(), null)), dOut, true, g);
        d = conv2.backward(t.t2().withInput(conv1.output(t.t1(), null)), d, true, g);
        return conv1.backward(t.t1(), d, true, g);
    }
}

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
    private final TapeArena arena;

    record Tape(Conv2dBnTraining.Tape t1, Conv2dBnTraining.Tape t2, Conv2dBnTraining.Tape t3) {
        List<Conv2dBnTraining.Tape> norms() {
            return List.of(t1, t2, t3);
        }
    }

    PatchMergingTraining(StateDictWeights w, String prefix, int dim, int out, int stride, TapeArena arena) {
        this.arena = arena;
        conv1 = new Conv2dBnTraining(w, prefix + ".conv1", Conv2dBnTraining.Kind.POINTWISE, dim, out, 1, true, true, arena);
        conv2 = new Conv2dBnTraining(w, prefix + ".conv2", Conv2dBnTraining.Kind.DEPTHWISE, out, out, stride, true, true,
                arena);
        conv3 = new Conv2dBnTraining(w, prefix + ".conv3", Conv2dBnTraining.Kind.POINTWISE, out, out, 1, true, false, arena);
    }

    int outputSide(int side) {
        return conv2.outputSide(side);
    }

    /** {@code x} is kept by the tape; {@code out} receives arrays of the arena. */
    Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        float[][] h1 = new float[b][];
        Conv2dBnTraining.Tape t1 = conv1.forward(x, side, batchStatistics, h1);
        float[][] h2 = new float[b][];
        Conv2dBnTraining.Tape t2 = conv2.forward(h1, side, batchStatistics, h2);
        arena.give(h1);
        Conv2dBnTraining.Tape t3 = conv3.forward(h2, outputSide(side), batchStatistics, out);
        arena.give(h2);
        return new Tape(t1, t2.withoutInput(), t3.withoutInput());
    }

    /**
     * {@code dOut} (overwritten; still the caller's) -> dLoss/dx per image (arrays of the arena).
     *
     * @param release give the tape's maps back to the arena once they are used
     */
    float[][] backward(Tape t, float[][] dOut, GradientSums g, boolean release) {
        float[][] h = conv2.output(t.t2(), null);
        float[][] d3 = conv3.backward(t.t3().withInput(h), dOut, true, g);
        arena.give(h);
        h = conv1.output(t.t1(), null);
        float[][] d2 = conv2.backward(t.t2().withInput(h), d3, true, g);
        arena.give(h);
        arena.give(d3);
        float[][] dx = conv1.backward(t.t1(), d2, true, g);
        arena.give(d2);
        if (release) {
            conv1.release(t.t1());
            conv2.release(t.t2());
            conv3.release(t.t3());
        }
        return dx;
    }
}

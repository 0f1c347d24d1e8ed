package org.umedsam.model.cpu;

/**
 * TinyViT patch merging for training, channel-last per image: 1x1 Conv2d_BN dim -> out, GELU, depthwise 3x3
 * Conv2d_BN with the stage's stride, GELU, 1x1 Conv2d_BN. {@code [side*side, dim] -> [side'*side', out]}.
 * The two hidden activations are not kept: the backward recomputes them from the tapes (BatchNorm and GELU of
 * the stored convolution outputs), bit for bit.
 */
final class PatchMergingTraining {

    private final ConvChainTraining convs;
    private final TapeArena arena;

    PatchMergingTraining(StateDictWeights w, String prefix, int dim, int out, int stride, TapeArena arena) {
        this.arena = arena;
        convs = new ConvChainTraining(w, prefix, dim, out, out, stride, arena);
    }

    int outputSide(int side) {
        return convs.outputSide(side);
    }

    /** {@code x} is kept by the tape; {@code out} receives arrays of the arena. */
    ConvChainTraining.Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        ConvChainTraining.Tape t = convs.forward(x, side, batchStatistics, out);
        return new ConvChainTraining.Tape(t.t1(), t.t2().withoutInput(), t.t3().withoutInput());
    }

    /**
     * {@code dOut} (overwritten; still the caller's) -> dLoss/dx per image (arrays of the arena).
     *
     * @param release give the tape's maps back to the arena once they are used
     */
    float[][] backward(ConvChainTraining.Tape t, float[][] dOut, GradientSums g, boolean release) {
        float[][] h = convs.conv2.output(t.t2(), null);
        float[][] d3 = convs.conv3.backward(t.t3().withInput(h), dOut, true, g);
        arena.give(h);
        h = convs.conv1.output(t.t1(), null);
        float[][] d2 = convs.conv2.backward(t.t2().withInput(h), d3, true, g);
        arena.give(h);
        arena.give(d3);
        float[][] dx = convs.conv1.backward(t.t1(), d2, true, g);
        arena.give(d2);
        if (release) {
            convs.conv1.release(t.t1());
            convs.conv2.release(t.t2());
            convs.conv3.release(t.t3());
        }
        return dx;
    }
}

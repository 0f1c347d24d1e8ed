package org.umedsam.model.cpu;

import java.util.List;

/**
 * TinyViT's chain of three Conv2d_BN for training: 1x1 {@code in -> hidden}, GELU, depthwise 3x3 with a stride,
 * GELU, 1x1 {@code hidden -> out} (no activation), channel-last per image {@code [side*side, in] ->
 * [side'*side', out]}. The body of both {@link MBConvTraining} (stride 1, plus a residual and a GELU) and
 * {@link PatchMergingTraining} (the stage's stride); one forward for both, each keeps its own backward (they
 * recompute different parts of the tape).
 */
final class ConvChainTraining {

    final Conv2dBnTraining conv1;
    final Conv2dBnTraining conv2;
    final Conv2dBnTraining conv3;
    private final TapeArena arena;

    /**
     * The three convolutions' tapes, as the chain's owner keeps them ({@link Conv2dBnTraining.Tape#withoutInput},
     * {@link Conv2dBnTraining.Tape#withoutConv} decide what each holds).
     */
    record Tape(Conv2dBnTraining.Tape t1, Conv2dBnTraining.Tape t2, Conv2dBnTraining.Tape t3) {
        List<Conv2dBnTraining.Tape> norms() {
            return List.of(t1, t2, t3);
        }
    }

    /**
     * @param prefix state-dict prefix of {@code conv1}, {@code conv2}, {@code conv3}
     * @param stride the depthwise convolution's stride
     */
    ConvChainTraining(StateDictWeights w, String prefix, int in, int hidden, int out, int stride, TapeArena arena) {
        this.arena = arena;
        conv1 = new Conv2dBnTraining(w, prefix + ".conv1", Conv2dBnTraining.Kind.POINTWISE, in, hidden, 1,
                true, true, arena);
        conv2 = new Conv2dBnTraining(w, prefix + ".conv2", Conv2dBnTraining.Kind.DEPTHWISE, hidden, hidden, stride,
                true, true, arena);
        conv3 = new Conv2dBnTraining(w, prefix + ".conv3", Conv2dBnTraining.Kind.POINTWISE, hidden, out, 1,
                true, false, arena);
    }

    /** The side of the output map for an input of {@code side} (the depthwise convolution's stride). */
    int outputSide(int side) {
        return conv2.outputSide(side);
    }

    /**
     * The three convolutions on {@code x[b]} (kept by the first tape): the two hidden activations go back to the
     * arena as soon as the next convolution has read them; {@code out[b]} receives {@code bn3(conv3(..))}, arrays
     * of the arena. Returns the three tapes in full, for the owner to trim.
     */
    Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        float[][] h1 = new float[b][];
        Conv2dBnTraining.Tape t1 = conv1.forward(x, side, batchStatistics, h1);
        float[][] h2 = new float[b][];
        Conv2dBnTraining.Tape t2 = conv2.forward(h1, side, batchStatistics, h2);
        arena.give(h1);
        Conv2dBnTraining.Tape t3 = conv3.forward(h2, outputSide(side), batchStatistics, out);
        arena.give(h2);
        return new Tape(t1, t2, t3);
    }
}

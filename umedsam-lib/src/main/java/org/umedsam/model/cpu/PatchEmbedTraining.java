package org.umedsam.model.cpu;

import java.util.List;

/**
 * LiteMedSAM's patch embedding for training, channel-first per image: 1x1 Conv2d_BN 3 -> dim/2, GELU, 1x1
 * Conv2d_BN dim/2 -> dim. {@code [3, S*S] -> [dim, S*S]}. No gradient is computed for the image. The hidden
 * activation is recomputed in the backward pass rather than kept.
 */
final class PatchEmbedTraining {

    private final Conv2dBnTraining conv0;
    private final Conv2dBnTraining conv2;
    private final TapeArena arena;

    record Tape(Conv2dBnTraining.Tape t0, Conv2dBnTraining.Tape t2) {
        List<Conv2dBnTraining.Tape> norms() {
            return List.of(t0, t2);
        }
    }

    PatchEmbedTraining(StateDictWeights w, String prefix, int dim, TapeArena arena) {
        this.arena = arena;
        conv0 = new Conv2dBnTraining(w, prefix + ".seq.0", Conv2dBnTraining.Kind.POINTWISE, 3, dim / 2, 1, false, true,
                arena);
        conv2 = new Conv2dBnTraining(w, prefix + ".seq.2", Conv2dBnTraining.Kind.POINTWISE, dim / 2, dim, 1, false, false,
                arena);
    }

    /** {@code images} are kept by the tape; {@code out} receives arrays of the arena. */
    Tape forward(float[][] images, int side, boolean batchStatistics, float[][] out) {
        float[][] h = new float[images.length][];
        Conv2dBnTraining.Tape t0 = conv0.forward(images, side, batchStatistics, h);
        Conv2dBnTraining.Tape t2 = conv2.forward(h, side, batchStatistics, out).withoutInput();
        arena.give(h);
        return new Tape(t0, t2);
    }

    /**
     * {@code dOut} (overwritten; still the caller's); accumulates the parameters' gradients only.
     *
     * @param release give the tape's maps (the images included) back to the arena once they are used
     */
    void backward(Tape t, float[][] dOut, GradientSums g, boolean release) {
        float[][] h = conv0.output(t.t0(), null);
        float[][] d = conv2.backward(t.t2().withInput(h), dOut, true, g);
        arena.give(h);
        conv0.backward(t.t0(), d, false, g);
        arena.give(d);
        if (release) {
            conv0.release(t.t0());
            conv2.release(t.t2());
        }
    }
}

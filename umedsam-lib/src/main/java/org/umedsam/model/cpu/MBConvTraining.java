package org.umedsam.model.cpu;

/**
 * TinyViT's inverted-residual block for training, channel-first {@code [C, H*W]} per image:
 * {@code gelu(x + bn3(conv3(gelu(bn2(dw3x3(gelu(bn1(conv1 x))))))))}, hidden = expand * C. Forward with tape
 * and backward; see {@link Conv2dBnTraining} for the BatchNorm modes.
 *
 * <p>The tape keeps the block's input and the three convolutions' outputs before BatchNorm; the two hidden
 * activations ({@code [hidden, H*W]} each; with the sum about half the block's tape) and the pre-activation sum
 * are recomputed in the backward pass from those (BatchNorm and GELU are element-wise), bit for bit. Maps come
 * from and go back to the {@link TapeArena}.
 */
final class MBConvTraining {

    private final Conv2dBnTraining conv1;
    private final Conv2dBnTraining conv2;
    private final Conv2dBnTraining conv3;
    private final TapeArena arena;

    /** The three convolutions' tapes; only the first keeps its input (the block's input). */
    record Tape(Conv2dBnTraining.Tape t1, Conv2dBnTraining.Tape t2, Conv2dBnTraining.Tape t3) {
        java.util.List<Conv2dBnTraining.Tape> norms() {
            return java.util.List.of(t1, t2, t3);
        }
    }

    MBConvTraining(StateDictWeights w, String prefix, int dim, int hidden, TapeArena arena) {
        this.arena = arena;
        conv1 = new Conv2dBnTraining(w, prefix + ".conv1", Conv2dBnTraining.Kind.POINTWISE, dim, hidden, 1, false, true,
                arena);
        conv2 = new Conv2dBnTraining(w, prefix + ".conv2", Conv2dBnTraining.Kind.DEPTHWISE, hidden, hidden, 1, false, true,
                arena);
        conv3 = new Conv2dBnTraining(w, prefix + ".conv3", Conv2dBnTraining.Kind.POINTWISE, hidden, dim, 1, false, false,
                arena);
    }

    /** {@code x[b] [C, side*side]} (kept by the tape) -> {@code out[b]}, arrays of the arena. */
    Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        float[][] h1 = new float[b][];
        Conv2dBnTraining.Tape t1 = conv1.forward(x, side, batchStatistics, h1);
        float[][] h2 = new float[b][];
        Conv2dBnTraining.Tape t2 = conv2.forward(h1, side, batchStatistics, h2);
        arena.give(h1);
        float[][] sum = new float[b][];
        Conv2dBnTraining.Tape t3 = conv3.forward(h2, side, batchStatistics, sum);
        arena.give(h2);
        for (int i = 0; i < b; i++) {
            float[] s = sum[i];
            float[] xi = x[i];
            float[] o = arena.take(s.length);
            ChunkedParallel.parallel(s.length, 8, (from, to) -> {
                for (int k = from; k < to; k++) {
                    s[k] += xi[k];
                }
                System.arraycopy(s, from, o, from, to - from);
                Gelu.apply(o, from, to - from);
            });
            out[i] = o;
        }
        arena.give(sum);
        return new Tape(t1, t2.withoutInput(), t3.withoutInput());
    }

    /**
     * {@code dOut} (overwritten; still the caller's) -> dLoss/dx per image (arrays of the arena).
     *
     * @param release give the tape's maps back to the arena once they are used
     */
    float[][] backward(Tape t, float[][] dOut, GradientSums g, boolean release) {
        int b = dOut.length;
        float[][] x = t.t1().input();
        // the pre-activation sum x + bn3(conv3), recomputed as the forward computed it
        float[][] sum = conv3.output(t.t3(), null);
        float[][] dz = new float[b][];
        for (int i = 0; i < b; i++) {
            float[] d = dOut[i];
            float[] s = sum[i];
            float[] xi = x[i];
            float[] copy = arena.take(d.length);
            ChunkedParallel.parallel(d.length, 8, (from, to) -> {
                for (int k = from; k < to; k++) {
                    s[k] += xi[k];
                }
                Gelu.multiplyByDerivative(s, from, d, from, to - from);
                System.arraycopy(d, from, copy, from, to - from);
            });
            dz[i] = copy;
        }
        arena.give(sum);
        float[][] hidden = conv2.output(t.t2(), null); // h2, conv3's input
        float[][] dh2 = conv3.backward(t.t3().withInput(hidden), dz, true, g);
        arena.give(dz);
        hidden = conv1.output(t.t1(), hidden); // h1, conv2's input, into the same arrays
        float[][] dh1 = conv2.backward(t.t2().withInput(hidden), dh2, true, g);
        arena.give(dh2);
        arena.give(hidden);
        if (release) {
            conv3.release(t.t3());
            conv2.release(t.t2());
        }
        float[][] dx = conv1.backward(t.t1(), dh1, true, g);
        arena.give(dh1);
        if (release) {
            conv1.release(t.t1());
        }
        for (int i = 0; i < b; i++) {
            ChunkedParallel.add(dx[i], dOut[i], dx[i], dx[i].length);
        }
        return dx;
    }
}

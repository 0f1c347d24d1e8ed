package org.umedsam.model.cpu;

/**
 * TinyViT's inverted-residual block for training, channel-first {@code [C, H*W]} per image:
 * {@code gelu(x + bn3(conv3(gelu(bn2(dw3x3(gelu(bn1(conv1 x))))))))}, hidden = expand * C. Forward with tape
 * and backward; see {@link Conv2dBnTraining} for the BatchNorm modes.
 *
 * <p>The tape keeps the block's input, the batch statistics and the last convolution's output only: the
 * backward pass recomputes the first two convolutions, the hidden activations ({@code [hidden, H*W]} each) and the
 * pre-activation sum from them, the same operations, so bit for bit. At LiteMedSAM's full-resolution stage that
 * keeps 32 MB of the 304 MB per image a full tape holds, for about half the block's forward work again (a 1x1 and a
 * depthwise convolution). Maps come from and go back to the {@link TapeArena}.
 */
final class MBConvTraining {

    private final ConvChainTraining convs;
    private final TapeArena arena;

    MBConvTraining(StateDictWeights w, String prefix, int dim, int hidden, TapeArena arena) {
        this.arena = arena;
        convs = new ConvChainTraining(w, prefix, dim, hidden, dim, 1, false, arena);
    }

    /**
     * {@code x[b] [C, side*side]} (kept by the tape) -> {@code out[b]}, arrays of the arena. The tape keeps the
     * first convolution's input and the last one's output only ({@link Conv2dBnTraining.Tape#withoutConv},
     * {@link Conv2dBnTraining.Tape#withoutInput}).
     */
    ConvChainTraining.Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        float[][] sum = new float[b][];
        ConvChainTraining.Tape t = convs.forward(x, side, batchStatistics, sum);
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
        arena.give(t.t1().conv());
        arena.give(t.t2().conv());
        return new ConvChainTraining.Tape(t.t1().withoutConv(), t.t2().withoutInput().withoutConv(),
                t.t3().withoutInput());
    }

    /**
     * {@code dOut} (overwritten; still the caller's) -> dLoss/dx per image (arrays of the arena).
     *
     * @param release give the tape's maps back to the arena once they are used
     */
    float[][] backward(ConvChainTraining.Tape t, float[][] dOut, GradientSums g, boolean release) {
        int b = dOut.length;
        float[][] x = t.t1().input();
        // the pre-activation sum x + bn3(conv3), recomputed as the forward computed it
        float[][] sum = convs.conv3.output(t.t3(), null);
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
        // the first two convolutions and their activations, recomputed from the block's input
        int side = t.t1().side();
        Conv2dBnTraining.Tape t1 = t.t1().withConv(convs.conv1.convolution(x, side));
        float[][] h1 = convs.conv1.output(t1, null);
        Conv2dBnTraining.Tape t2 = t.t2().withConv(convs.conv2.convolution(h1, side)).withInput(h1);
        float[][] h2 = convs.conv2.output(t2, null);
        float[][] dh2 = convs.conv3.backward(t.t3().withInput(h2), dz, true, g);
        arena.give(dz);
        arena.give(h2);
        float[][] dh1 = convs.conv2.backward(t2, dh2, true, g);
        arena.give(dh2);
        arena.give(h1);
        arena.give(t2.conv());
        if (release) {
            convs.conv3.release(t.t3());
        }
        float[][] dx = convs.conv1.backward(t1, dh1, true, g);
        arena.give(dh1);
        arena.give(t1.conv());
        if (release) {
            convs.conv1.release(t.t1()); // the block's input
        }
        for (int i = 0; i < b; i++) {
            ChunkedParallel.add(dx[i], dOut[i], dx[i], dx[i].length);
        }
        return dx;
    }
}

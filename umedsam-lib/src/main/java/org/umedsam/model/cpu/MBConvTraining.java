package org.umedsam.model.cpu;

/**
 * TinyViT's inverted-residual block for training, channel-last {@code [H*W, C]} per image:
 * {@code gelu(x + bn3(conv3(gelu(bn2(dw3x3(gelu(bn1(conv1 x))))))))}, hidden = expand * C. Forward with tape
 * and backward; see {@link Conv2dBnTraining} for the BatchNorm modes.
 *
 * <p>Channel-last, as {@link MBConv}: the 1x1 convolutions are then tall products, {@code [H*W, C] x [C, hidden]},
 * which ran at about 20 G multiply-adds/s inside a training pass where the channel-first
 * {@code [hidden, C] x [C, H*W]} ran at 6.6 (oneDNN, 2-core Zen 1, 2026-12-04).
 *
 * <p>The tape keeps the block's input, the batch statistics and the last convolution's output only: the
 * backward pass recomputes the first two convolutions, the hidden activations ({@code [H*W, hidden]} each) and the
 * pre-activation sum from them, the same operations, so bit for bit. At LiteMedSAM's full-resolution stage that
 * keeps 32 MB of the 304 MB per image a full tape holds, for about half the block's forward work again (a 1x1 and a
 * depthwise convolution). Maps come from and go back to the {@link TapeArena}.
 *
 * <p>The depthwise convolution's activation {@code h2}, the last convolution's input, never reaches the heap: each
 * image's is written straight into that product's staging buffer, in the forward for the product and in the backward
 * for its weight gradient ({@link Conv2dBnTraining#forwardStaged}, {@link Conv2dBnTraining#backwardStaged}), which
 * saves writing a {@code [H*W, hidden]} map and copying it off-heap per image in each pass.
 *
 * <p>The forward holds at most two {@code [H*W, hidden]} maps per image at a time (67 MB each at LiteMedSAM's
 * full resolution), giving each convolution's output back as soon as its activation is made; the backward four: it
 * keeps the recomputed first convolution for its BatchNorm backward, and writes the depthwise convolution's input
 * gradient into its consumed output ({@link Conv2dBnTraining#backwardIntoTape}). Five maps per image were held
 * before, the most of any layer, which set the arena's size for that shape. With three, the backward computed the
 * first convolution a third time (4.3 G multiply-adds a LiteMedSAM pass at batch 2, of about 200 G).
 */
final class MBConvTraining {

    private final ConvChainTraining convs;
    private final TapeArena arena;

    MBConvTraining(StateDictWeights w, String prefix, int dim, int hidden, TapeArena arena) {
        this.arena = arena;
        convs = new ConvChainTraining(w, prefix, dim, hidden, dim, 1, arena);
    }

    /**
     * {@code x[b] [side*side, C]} (kept by the tape) -> {@code out[b]}, arrays of the arena. The tape keeps the
     * first convolution's input and the last one's output only ({@link Conv2dBnTraining.Tape#withoutConv},
     * {@link Conv2dBnTraining.Tape#withoutInput}).
     */
    ConvChainTraining.Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        float[][] h1 = new float[b][];
        Conv2dBnTraining.Tape t1 = convs.conv1.forward(x, side, batchStatistics, h1);
        arena.give(t1.conv());
        Conv2dBnTraining.Tape t2 = convs.conv2.forwardWithoutOutput(h1, side, batchStatistics);
        arena.give(h1);
        // h2 = gelu(bn2(conv2)) is written per image straight into the last convolution's staging buffer
        float[][] sum = new float[b][];
        Conv2dBnTraining.Tape t3 = convs.conv3.forwardStaged(b, side, (i, into) -> convs.conv2.outputInto(t2, i, into),
                batchStatistics, sum);
        arena.give(t2.conv());
        for (int i = 0; i < b; i++) {
            float[] s = sum[i];
            float[] xi = x[i];
            float[] o = arena.take(s.length);
            ChunkedParallel.inPieces(s.length, 8, (from, to) -> {
                for (int k = from; k < to; k++) {
                    o[k] = s[k] + xi[k];
                }
                Gelu.apply(o, from, to - from);
            });
            out[i] = o;
        }
        arena.give(sum);
        return new ConvChainTraining.Tape(t1.withoutConv(), t2.withoutInput().withoutConv(), t3.withoutInput());
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
            ChunkedParallel.inPieces(d.length, 8, (from, to) -> {
                for (int k = from; k < to; k++) {
                    s[k] += xi[k];
                }
                Gelu.multiplyByDerivative(s, from, d, from, to - from);
                System.arraycopy(d, from, copy, from, to - from);
            });
            dz[i] = copy;
        }
        arena.give(sum);
        // the first two convolutions and their activations, recomputed from the block's input; the first
        // convolution's output is kept for its BatchNorm backward
        int side = t.t1().side();
        float[][] c1 = convs.conv1.convolution(x, side);
        float[][] h1 = convs.conv1.output(t.t1().withConv(c1), null);
        Conv2dBnTraining.Tape t2 = t.t2().withConv(convs.conv2.convolution(h1, side)).withInput(h1);
        // h2 again per image into the staging buffer, where the last convolution's weight gradient reads it
        float[][] dh2 = convs.conv3.backwardStaged(t.t3(), dz, (i, into) -> convs.conv2.outputInto(t2, i, into), g);
        arena.give(dz);
        float[][] dh1 = convs.conv2.backwardIntoTape(t2, dh2, g); // dh1 is t2's convolution arrays
        arena.give(dh2);
        arena.give(h1);
        if (release) {
            convs.conv3.release(t.t3());
        }
        Conv2dBnTraining.Tape t1 = t.t1().withConv(c1);
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

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * A TinyViT block for training, channel-last tokens {@code [side*side, dim]} per image:
 * {@code a = x + proj(windowAttention(LN(x)))}; {@code y = bn(dw3x3(a))} (local_conv); {@code out = y +
 * fc2(gelu(fc1(LN(y))))}. Forward with tape and backward. The batch is coupled only by the local
 * convolution's BatchNorm, so the backward runs the MLP half per image, the convolution over the batch, then
 * the attention half per image.
 *
 * <p>Tokens padded up to a multiple of the window are zeros before the attention's LayerNorm (upstream pads
 * first), so their normalised row is the norm's bias exactly: the tape keeps it as an extra row {@code L} of
 * the qkv input, and its gradient flows to {@code qkv} and to {@code attn.norm.bias}.
 *
 * <p>The MLP half keeps only the local convolution's tape: the backward rebuilds {@code y} (BatchNorm of the
 * stored convolution), its LayerNorm, the fc1 output {@code h} and {@code gelu(h)} per image, the same float
 * operations as the forward, so the gradients are those of a full tape bit for bit (three {@code [L, dim]} and
 * two {@code [L, 4 dim]} arrays less per image and block; {@code h} alone is 344 MB of LiteMedSAM's tape at
 * batch 2, for one fc1 product per image and block again, about 2% of the step). The MLP's hidden rows never
 * reach the heap, in either pass ({@link TinyVitMlpTraining}).
 */
final class TinyVitBlockTraining {

    private static final float LN_EPS = (float) ModelConfig.LN_EPS;

    private final String attnPrefix;
    private final String mlpPrefix;
    private final int dim;
    private final int hidden;
    private final float[] attnNormW;
    private final float[] attnNormB;
    private final Linear qkv;
    private final WindowAttentionKernel attention;
    private final WindowAttentionGradient attentionGradient;
    private final int biasCount;
    private final Linear proj;
    private final Conv2dBnTraining localConv;
    private final float[] mlpNormW;
    private final float[] mlpNormB;
    private final TinyVitMlpTraining mlp;
    private final TapeArena arena;

    /**
     * Per image: the block's input {@code x}, the qkv output and the attention output; plus the local convolution's
     * tape over the batch without its input ({@code a = x + proj(att)}, rebuilt in the backward pass).
     */
    record Tape(int side, float[][] x, float[][] qkv, float[][] att, Conv2dBnTraining.Tape local) {
    }

    TinyVitBlockTraining(StateDictWeights w, String prefix, int dim, int heads, int ws, int mlpRatio, TapeArena arena) {
        this.arena = arena;
        this.dim = dim;
        this.hidden = dim * mlpRatio;
        attnPrefix = prefix + ".attn";
        mlpPrefix = prefix + ".mlp";
        attnNormW = w.get(attnPrefix + ".norm.weight", dim);
        attnNormB = w.get(attnPrefix + ".norm.bias", dim);
        qkv = Linear.read(w, attnPrefix + ".qkv", dim, 3 * dim, true);
        float[] biases = w.get(attnPrefix + ".attention_biases", heads, (long) ws * ws);
        biasCount = biases.length;
        attention = new WindowAttentionKernel(heads, dim / heads, ws, biases);
        attentionGradient = new WindowAttentionGradient(heads, dim / heads, ws, biases);
        proj = Linear.read(w, attnPrefix + ".proj", dim, dim, true);
        localConv = new Conv2dBnTraining(w, prefix + ".local_conv", Conv2dBnTraining.Kind.DEPTHWISE, dim, dim, 1,
                true, false, arena);
        mlpNormW = w.get(mlpPrefix + ".norm.weight", dim);
        mlpNormB = w.get(mlpPrefix + ".norm.bias", dim);
        mlp = new TinyVitMlpTraining(mlpPrefix, mlpNormW, mlpNormB,
                Linear.read(w, mlpPrefix + ".fc1", dim, hidden, true), Linear.read(w, mlpPrefix + ".fc2", hidden, dim, true));
    }

    /**
     * {@code x[b] [side*side, dim]} -> {@code out[b]}, arrays of the arena. The input is kept by the tape (the
     * caller must not modify it; a releasing backward gives it back to the arena).
     */
    Tape forward(float[][] x, int side, boolean batchStatistics, float[][] out) {
        int b = x.length;
        int len = side * side;
        float[][] q = new float[b][];
        float[][] att = new float[b][];
        float[][] a = new float[b][];
        float[] t = arena.take((len + 1) * dim);
        for (int i = 0; i < b; i++) {
            attentionInput(x[i], len, t);
            q[i] = arena.take((len + 1) * 3 * dim);
            qkv.apply(t, len + 1, q[i], Activation.NONE);
            att[i] = arena.take(len * dim); // written for every token
            attention.apply(q[i], side, att[i]);
            a[i] = residual(att[i], x[i], len);
        }
        arena.give(t);
        float[][] y = new float[b][];
        Conv2dBnTraining.Tape local = localConv.forward(a, side, batchStatistics, y).withoutInput();
        arena.give(a);
        for (int i = 0; i < b; i++) {
            float[] o = arena.take(len * dim);
            mlp.forward(y[i], len, o); // LN(y) and h stay off-heap (the backward rebuilds them)
            out[i] = o;
        }
        arena.give(y);
        return new Tape(side, x.clone(), q, att, local);
    }

    /**
     * The attention's LayerNorm of {@code x} ({@code [len, dim]}, read only) into {@code t} ({@code [len + 1, dim]}:
     * row {@code len} is the padded token's normalised row, the norm's bias).
     */
    private void attentionInput(float[] x, int len, float[] t) {
        System.arraycopy(x, 0, t, 0, len * dim);
        DecoderGradientKernels.layerNorm(t, len, dim, attnNormW, attnNormB, LN_EPS, null, null);
        System.arraycopy(attnNormB, 0, t, len * dim, dim);
    }

    /**
     * {@code a = x + proj(att)}, an array of the arena ({@code [len, dim]}): {@code (att W^T + b) + x} as the
     * product is copied back, the same floats as the product and then the sum.
     */
    private float[] residual(float[] att, float[] x, int len) {
        float[] a = arena.take(len * dim);
        proj.applyResidual(att, len, x, a);
        return a;
    }

    /**
     * {@code dOut} per image (overwritten; still the caller's) -> dLoss/dx per image (arrays of the arena).
     *
     * @param release give the tape's maps back to the arena once they are used
     */
    float[][] backward(Tape t, float[][] dOut, GradientSums g, boolean release) {
        int b = dOut.length;
        int len = t.side() * t.side();
        float[][] dy = new float[b][];
        // rebuilt: y = local conv output, then per image its LayerNorm, h = fc1(LN(y)) and gelu(h)
        float[][] y = localConv.output(t.local(), null);
        float[] xhat2 = arena.take(len * dim);
        float[] inv2 = arena.take(len);
        for (int i = 0; i < b; i++) {
            float[] d = dOut[i];
            float[] dt2 = arena.take(len * dim);
            mlp.backward(d, y[i], len, xhat2, inv2, dt2, g);
            arena.give(y[i]);
            y[i] = null;
            DecoderGradientKernels.layerNormBackward(dt2, len, dim, mlpNormW, xhat2, inv2, mlpPrefix + ".norm", g);
            ChunkedParallel.add(dt2, d, dt2, len * dim);
            dy[i] = dt2;
        }
        arena.give(xhat2);
        arena.give(inv2);
        // rebuilt: the local convolution's input a = x + proj(att)
        float[][] a = new float[b][];
        for (int i = 0; i < b; i++) {
            a[i] = residual(t.att()[i], t.x()[i], len);
        }
        // a releasing pass writes da over the convolution's output (its BatchNorm backward has read it): those
        // arrays are then given back image by image below, as da's
        float[][] da = release ? localConv.backwardIntoTape(t.local().withInput(a), dy, g)
                : localConv.backward(t.local().withInput(a), dy, true, g);
        arena.give(a);
        arena.give(dy);
        float[][] dx = new float[b][];
        float[] dBiases = g.of(attnPrefix + ".attention_biases", biasCount);
        float[] datt = arena.take(len * dim);
        float[] dq = arena.take((len + 1) * 3 * dim);
        float[] dt1 = arena.take((len + 1) * dim);
        // rebuilt per image: the attention's LayerNorm of x (qkv's input, written where its weight gradient reads
        // it, xhat, 1/std)
        float[] xhat1 = arena.take(len * dim);
        float[] inv1 = arena.take(len);
        for (int i = 0; i < b; i++) {
            float[] d = da[i];
            Gemm.linearBackward(d, len, dim, t.att()[i], dim, proj.weight, g.of(attnPrefix + ".proj.weight", dim * dim),
                    datt);
            DecoderGradientKernels.columnSums(d, len, dim, g.of(attnPrefix + ".proj.bias", dim));
            // overwritten whole: every real token's q, k and v rows by its window, the padded row by the sum
            attentionGradient.backward(t.qkv()[i], t.side(), datt, dq, dBiases);
            DecoderGradientKernels.columnSums(dq, len + 1, 3 * dim, g.of(attnPrefix + ".qkv.bias", 3 * dim));
            NativeFloats normIn = Gemm.staging().b.ensure((long) (len + 1) * dim);
            LayerNorm.trainingRows(t.x()[i], len, dim, attnNormW, attnNormB, LN_EPS, xhat1, inv1, normIn);
            normIn.put(len * dim, attnNormB, 0, dim); // the padded token's row
            Gemm.linearBackwardStagedX(dq, len + 1, 3 * dim, dim, qkv.weight,
                    g.of(attnPrefix + ".qkv.weight", 3 * dim * dim), dt1);
            float[] dNormBias = g.of(attnPrefix + ".norm.bias", dim);
            DecoderGradientKernels.layerNormBackward(dt1, len, dim, attnNormW, xhat1, inv1, attnPrefix + ".norm", g);
            for (int c = 0; c < dim; c++) {
                dNormBias[c] += dt1[len * dim + c];
            }
            // residual: dx = da + d(LN input); a releasing pass writes it over x, which is rebuilt no more
            float[] o = release ? t.x()[i] : arena.take(len * dim);
            ChunkedParallel.add(dt1, d, o, len * dim);
            dx[i] = o;
            arena.give(d);
            da[i] = null;
        }
        arena.give(datt);
        arena.give(dq);
        arena.give(dt1);
        arena.give(xhat1);
        arena.give(inv1);
        if (release) {
            arena.give(t.qkv());
            arena.give(t.att());
        }
        return dx;
    }
}

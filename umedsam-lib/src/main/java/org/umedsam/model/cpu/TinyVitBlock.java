package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * TinyViT block in evaluation mode on channel-last tokens {@code [side*side, dim]} of one image:
 * {@code x += proj(windowAttention(LN(x)))}; {@code x = dw3x3BN(x)} (local_conv, no residual);
 * {@code x += fc2(gelu(fc1(LN(x))))}.
 *
 * <p>The LayerNorms write their rows off-heap, where qkv and fc1 read them, and fc1's GELU runs in place off-heap,
 * where fc2 reads it ({@link NativeLinear}): the MLP's hidden rows, four times the block's width, never reach the
 * heap. Against the same block through {@link Linear} (heap arrays staged at every product), LiteMedSAM's
 * embedding took 0.92 to 0.95 of the time, interleaved in one JVM, same bits.
 */
final class TinyVitBlock {

    private static final float LN_EPS = (float) ModelConfig.LN_EPS;

    private final int dim;
    private final float[] attnNormW;
    private final float[] attnNormB;
    private final NativeLinear qkv;
    /** qkv of a padded token: LayerNorm(0) is the norm's bias, so {@code qkvW · normBias + qkvB}. */
    private final float[] padQkv;
    private final WindowAttentionForward attention;
    private final Linear proj;
    private final FoldedConv localConv;
    /** local_conv's taps and bias tiled along a depthwise segment ({@link DepthwiseConv3x3#hwcBand}). */
    private final float[][] localTiled;
    private final DepthwiseBand depthwise;
    private final float[] mlpNormW;
    private final float[] mlpNormB;
    private final NativeLinear fc1;
    private final NativeLinear fc2;
    private final int hidden;
    private final String out;
    /** Whether the LayerNorms run {@link VectorLayerNorm}, chosen with the snapshot's other kernels. */
    private final boolean vectorNorm;

    TinyVitBlock(StateDictWeights w, String prefix, int dim, int heads, int ws, int mlpRatio) {
        this.dim = dim;
        this.hidden = dim * mlpRatio;
        this.out = prefix + ".out";
        String a = prefix + ".attn";
        attnNormW = w.get(a + ".norm.weight", dim);
        attnNormB = w.get(a + ".norm.bias", dim);
        Linear qkvLinear = Linear.read(w, a + ".qkv", dim, 3 * dim, true);
        qkv = new NativeLinear(qkvLinear);
        float[] qkvW = qkvLinear.weight;
        float[] qkvB = qkvLinear.bias;
        padQkv = new float[3 * dim];
        for (int o = 0; o < 3 * dim; o++) {
            double s = qkvB[o];
            for (int i = 0; i < dim; i++) {
                s += (double) qkvW[o * dim + i] * attnNormB[i];
            }
            padQkv[o] = (float) s;
        }
        attention = WindowAttentionForward.forInference(heads, dim / heads, ws,
                w.get(a + ".attention_biases", heads, (long) ws * ws));
        proj = Linear.read(w, a + ".proj", dim, dim, true);
        localConv = FoldedConv.read(w, prefix + ".local_conv", dim, dim, 3, true);
        depthwise = DepthwiseBand.forInference(dim);
        vectorNorm = LayerNorm.vectorRows(dim);
        localTiled = DepthwiseConv3x3.tiledTaps(localConv.tapMajor(), localConv.bias(), dim,
                Math.max(1, DepthwiseConv3x3.SEGMENT_FLOATS / dim));
        String m = prefix + ".mlp";
        mlpNormW = w.get(m + ".norm.weight", dim);
        mlpNormB = w.get(m + ".norm.bias", dim);
        fc1 = new NativeLinear(Linear.read(w, m + ".fc1", dim, hidden, true));
        fc2 = new NativeLinear(Linear.read(w, m + ".fc2", hidden, dim, true));
    }

    /** {@code x [side*side, dim]} -> new {@code [side*side, dim]}. */
    float[] forward(float[] x, int side, Workspace ws) {
        int len = side * side;
        // the products' inputs and outputs stay off-heap where only a product reads them (NativeLinear)
        NativeFloats normed = ws.offHeap("block.normed");
        NativeFloats product = ws.offHeap("block.product");
        LayerNorm.rows(x, 0, normed, len, dim, attnNormW, attnNormB, LN_EPS, vectorNorm);
        qkv.product(normed, len, product);
        float[] q = ws.get("block.qkv", (len + 1) * 3 * dim);
        Epilogue.toHeap(product, len, 3 * dim, qkv.bias, null, 0, Activation.NONE, q, 0);
        System.arraycopy(padQkv, 0, q, len * 3 * dim, 3 * dim);
        float[] t = ws.get("block.t", len * dim);
        attention.apply(q, side, t);
        float[] a = ws.get("block.a", len * dim);
        proj.applyResidual(t, len, x, a);
        float[] y = ws.get(out, len * dim);
        depthwise.apply(a, 0, side, side, dim, 0, side, localTiled, false, y, 0);
        LayerNorm.rows(y, 0, normed, len, dim, mlpNormW, mlpNormB, LN_EPS, vectorNorm);
        NativeFloats hiddenRows = ws.offHeap("block.hidden");
        fc1.product(normed, len, hiddenRows);
        Epilogue.inPlace(hiddenRows, len, hidden, fc1.bias, Activation.GELU);
        fc2.product(hiddenRows, len, product);
        Epilogue.toHeap(product, len, dim, fc2.bias, y, 0, Activation.NONE, y, 0);
        return y;
    }
}

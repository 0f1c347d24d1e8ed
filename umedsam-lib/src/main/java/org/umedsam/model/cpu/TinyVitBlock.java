package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * TinyViT block in evaluation mode on channel-last tokens {@code [side*side, dim]} of one image:
 * {@code x += proj(windowAttention(LN(x)))}; {@code x = dw3x3BN(x)} (local_conv, no residual);
 * {@code x += fc2(gelu(fc1(LN(x))))}.
 */
final class TinyVitBlock {

    private static final float LN_EPS = (float) ModelConfig.LN_EPS;

    private final int dim;
    private final float[] attnNormW;
    private final float[] attnNormB;
    private final Linear qkv;
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
    private final Linear fc1;
    private final Linear fc2;
    private final int hidden;
    private final String out;

    TinyVitBlock(StateDictWeights w, String prefix, int dim, int heads, int ws, int mlpRatio) {
        this.dim = dim;
        this.hidden = dim * mlpRatio;
        this.out = prefix + ".out";
        String a = prefix + ".attn";
        attnNormW = w.get(a + ".norm.weight", dim);
        attnNormB = w.get(a + ".norm.bias", dim);
        qkv = Linear.read(w, a + ".qkv", dim, 3 * dim, true);
        float[] qkvW = qkv.weight;
        float[] qkvB = qkv.bias;
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
        localTiled = DepthwiseConv3x3.tiledTaps(localConv.tapMajor(), localConv.bias(), dim,
                Math.max(1, DepthwiseConv3x3.SEGMENT_FLOATS / dim));
        String m = prefix + ".mlp";
        mlpNormW = w.get(m + ".norm.weight", dim);
        mlpNormB = w.get(m + ".norm.bias", dim);
        fc1 = Linear.read(w, m + ".fc1", dim, hidden, true);
        fc2 = Linear.read(w, m + ".fc2", hidden, dim, true);
    }

    /** {@code x [side*side, dim]} -> new {@code [side*side, dim]}. */
    float[] forward(float[] x, int side, Workspace ws) {
        int len = side * side;
        float[] t = ws.get("block.t", len * dim);
        LayerNorm.rows(x, 0, t, 0, len, dim, attnNormW, attnNormB, LN_EPS);
        float[] q = ws.get("block.qkv", (len + 1) * 3 * dim);
        qkv.apply(t, len, q, Activation.NONE);
        System.arraycopy(padQkv, 0, q, len * 3 * dim, 3 * dim);
        attention.apply(q, side, t);
        float[] a = ws.get("block.a", len * dim);
        proj.applyResidual(t, len, x, a);
        float[] y = ws.get(out, len * dim);
        depthwise.apply(a, 0, side, side, dim, 0, side, localTiled, false, y, 0);
        LayerNorm.rows(y, 0, t, 0, len, dim, mlpNormW, mlpNormB, LN_EPS);
        float[] h = ws.get("block.h", len * hidden);
        fc1.apply(t, len, h, Activation.GELU);
        fc2.applyResidual(h, len, y, y);
        return y;
    }
}

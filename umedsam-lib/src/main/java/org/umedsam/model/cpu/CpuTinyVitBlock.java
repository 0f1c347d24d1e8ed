package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

import java.util.stream.IntStream;

/**
 * TinyViT block in evaluation mode on channel-last tokens {@code [side*side, dim]} of one image:
 * {@code x += proj(windowAttention(LN(x)))}; {@code x = dw3x3BN(x)} (local_conv, no residual);
 * {@code x += fc2(gelu(fc1(LN(x))))}.
 */
final class CpuTinyVitBlock {

    private static final float LN_EPS = (float) ModelConfig.LN_EPS;

    private final int dim;
    private final float[] attnNormW;
    private final float[] attnNormB;
    private final float[] qkvW;
    private final float[] qkvB;
    /** qkv of a padded token: LayerNorm(0) is the norm's bias, so {@code qkvW · normBias + qkvB}. */
    private final float[] padQkv;
    private final WindowAttentionKernel attention;
    private final float[] projW;
    private final float[] projB;
    private final FoldedConv localConv;
    private final float[] localTaps;
    private final float[] mlpNormW;
    private final float[] mlpNormB;
    private final float[] fc1W;
    private final float[] fc1B;
    private final float[] fc2W;
    private final float[] fc2B;
    private final int hidden;

    CpuTinyVitBlock(StateDictWeights w, String prefix, int dim, int heads, int ws, int mlpRatio) {
        this.dim = dim;
        this.hidden = dim * mlpRatio;
        String a = prefix + ".attn";
        attnNormW = w.get(a + ".norm.weight", dim);
        attnNormB = w.get(a + ".norm.bias", dim);
        qkvW = w.get(a + ".qkv.weight", 3L * dim, dim);
        qkvB = w.get(a + ".qkv.bias", 3L * dim);
        padQkv = new float[3 * dim];
        for (int o = 0; o < 3 * dim; o++) {
            double s = qkvB[o];
            for (int i = 0; i < dim; i++) {
                s += (double) qkvW[o * dim + i] * attnNormB[i];
            }
            padQkv[o] = (float) s;
        }
        attention = new WindowAttentionKernel(heads, dim / heads, ws,
                w.get(a + ".attention_biases", heads, (long) ws * ws));
        projW = w.get(a + ".proj.weight", dim, dim);
        projB = w.get(a + ".proj.bias", dim);
        localConv = FoldedConv.read(w, prefix + ".local_conv", dim, dim, 3, true);
        localTaps = localConv.tapMajor();
        String m = prefix + ".mlp";
        mlpNormW = w.get(m + ".norm.weight", dim);
        mlpNormB = w.get(m + ".norm.bias", dim);
        fc1W = w.get(m + ".fc1.weight", hidden, dim);
        fc1B = w.get(m + ".fc1.bias", hidden);
        fc2W = w.get(m + ".fc2.weight", dim, hidden);
        fc2B = w.get(m + ".fc2.bias", dim);
    }

    /** {@code x [side*side, dim]} -> new {@code [side*side, dim]}. */
    float[] forward(float[] x, int side) {
        int len = side * side;
        float[] t = new float[len * dim];
        LayerNorm.rows(x, 0, t, 0, len, dim, attnNormW, attnNormB, LN_EPS);
        float[] qkv = new float[(len + 1) * 3 * dim];
        Gemm.linear(t, len, dim, qkvW, qkvB, 3 * dim, qkv);
        System.arraycopy(padQkv, 0, qkv, len * 3 * dim, 3 * dim);
        attention.apply(qkv, side, t);
        float[] a = new float[len * dim];
        Gemm.linear(t, len, dim, projW, projB, dim, a);
        IntStream.range(0, side).parallel().forEach(r -> {
            int o = r * side * dim;
            for (int i = o; i < o + side * dim; i++) {
                a[i] += x[i];
            }
        });
        float[] y = new float[len * dim];
        DepthwiseConv3x3.hwc(a, y, side, dim, 1, localTaps, localConv.bias(), false);
        LayerNorm.rows(y, 0, t, 0, len, dim, mlpNormW, mlpNormB, LN_EPS);
        float[] h = new float[len * hidden];
        Gemm.linear(t, len, dim, fc1W, fc1B, hidden, h);
        Gelu.applyParallel(h, len * hidden);
        Gemm.linear(h, len, hidden, fc2W, fc2B, dim, a);
        IntStream.range(0, side).parallel().forEach(r -> {
            int o = r * side * dim;
            for (int i = o; i < o + side * dim; i++) {
                y[i] += a[i];
            }
        });
        return y;
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * TinyViT's {@code Conv2d_BN} in evaluation mode with the BatchNorm folded into the bias-free convolution:
 * {@code scale = gamma / sqrt(running_var + eps)}, {@code w' = w * scale[out]},
 * {@code b' = beta - running_mean * scale}.
 *
 * <p>{@code weight} keeps PyTorch's layout {@code [out, in/groups, k, k]} flattened; for a 1x1 convolution
 * that is the matrix {@code [out, in]}, used as a Linear ({@code X W^T}) on a channel-last map {@code [HW, in]}.
 * The ONNX export folds through {@link #read} too, so both run the same folded weights.
 */
public record FoldedConv(float[] weight, float[] bias, int outChannels, int inChannels, int kernel, boolean depthwise) {

    /** Reads {@code prefix.c.weight} and {@code prefix.bn.*} and folds them. */
    public static FoldedConv read(StateDictWeights w, String prefix, int in, int out, int k, boolean depthwise) {
        float[] weight = w.get(prefix + ".c.weight", out, depthwise ? 1 : in, k, k);
        float[] gamma = w.get(prefix + ".bn.weight", out);
        float[] beta = w.get(prefix + ".bn.bias", out);
        float[] mean = w.get(prefix + ".bn.running_mean", out);
        float[] var = w.get(prefix + ".bn.running_var", out);
        int per = weight.length / out;
        float[] folded = new float[weight.length];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            float scale = (float) (gamma[o] / Math.sqrt(var[o] + ModelConfig.BN_EPS));
            for (int i = 0; i < per; i++) {
                folded[o * per + i] = weight[o * per + i] * scale;
            }
            bias[o] = beta[o] - mean[o] * scale;
        }
        return new FoldedConv(folded, bias, out, in, k, depthwise);
    }

    /** 1x1 convolution on a channel-last map: {@code y[pixels, out] = x[pixels, in] W^T + b}, then GELU when asked. */
    void pointwiseHwc(float[] x, int pixels, float[] y, boolean gelu) {
        requirePointwise();
        new Linear(weight, bias, inChannels, outChannels).apply(x, pixels, y, gelu ? Activation.GELU : Activation.NONE);
    }

    /** The depthwise 3x3 kernel tap-major, {@code [9, C]}, for {@link DepthwiseConv3x3#hwc}. */
    float[] tapMajor() {
        if (!depthwise || kernel != 3) {
            throw new IllegalStateException("not a depthwise 3x3 convolution");
        }
        float[] t = new float[9 * outChannels];
        for (int c = 0; c < outChannels; c++) {
            for (int k = 0; k < 9; k++) {
                t[k * outChannels + c] = weight[c * 9 + k];
            }
        }
        return t;
    }

    private void requirePointwise() {
        if (depthwise || kernel != 1) {
            throw new IllegalStateException("not a 1x1 convolution");
        }
    }
}

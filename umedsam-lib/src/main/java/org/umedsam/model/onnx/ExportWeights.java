package org.umedsam.model.onnx;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.ModelConfig;

import java.util.Arrays;
import java.util.Map;

/**
 * The state dict an export reads (upstream key names, PyTorch shapes) as row-major float32 copies, each
 * key's presence and shape checked; a problem is an {@link IllegalArgumentException} naming the key.
 * TinyViT's {@code Conv2d_BN} comes back with its evaluation-mode BatchNorm folded into the convolution,
 * as the CPU engine runs it.
 */
final class ExportWeights {

    private final Map<String, INDArray> stateDict;

    ExportWeights(Map<String, INDArray> stateDict) {
        this.stateDict = stateDict;
    }

    /** Entry {@code key} as float32, row-major; its shape must be {@code shape}. */
    float[] get(String key, long... shape) {
        INDArray a = stateDict.get(key);
        if (a == null) {
            throw new IllegalArgumentException("state dict has no entry " + key);
        }
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("state dict entry " + key + " has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        if (!a.dataType().isFPType()) {
            throw new IllegalArgumentException("state dict entry " + key + " has type " + a.dataType() + ", expected a float type");
        }
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** A convolution with its BatchNorm folded in: {@code weight [out, in/groups, k, k]} and {@code bias [out]}. */
    record Conv(float[] weight, float[] bias) {
    }

    /**
     * {@code prefix.c.weight} with {@code prefix.bn.*} folded: {@code scale = gamma / sqrt(running_var + eps)},
     * {@code w' = w * scale[out]}, {@code b' = beta - running_mean * scale}.
     */
    Conv convBn(String prefix, int in, int out, int k, boolean depthwise) {
        float[] w = get(prefix + ".c.weight", out, depthwise ? 1 : in, k, k);
        float[] gamma = get(prefix + ".bn.weight", out);
        float[] beta = get(prefix + ".bn.bias", out);
        float[] mean = get(prefix + ".bn.running_mean", out);
        float[] var = get(prefix + ".bn.running_var", out);
        int per = w.length / out;
        float[] folded = new float[w.length];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            float scale = (float) (gamma[o] / Math.sqrt(var[o] + ModelConfig.BN_EPS));
            for (int i = 0; i < per; i++) {
                folded[o * per + i] = w[o * per + i] * scale;
            }
            bias[o] = beta[o] - mean[o] * scale;
        }
        return new Conv(folded, bias);
    }
}

package org.umedsam.model.samediff;

import org.umedsam.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One SameDiff graph under construction plus the shared building blocks (linear, LayerNorm, exact GELU,
 * conv + BatchNorm). Parameters are the model's live arrays in PyTorch layout; convolution weights are
 * permuted inside the graph, so gradients come back in PyTorch layout too.
 *
 * <p>Only ops with working gradients in ND4J 1.0.0-M2.1 are used:
 * BatchNorm and LayerNorm from mean/sub/rsqrt/mul, GELU as {@code x*0.5*(1+erf(x/sqrt 2))}, convolutions
 * with {@code [kH, kW, iC, oC]} weights, no gather.
 */
final class Net {
    final SameDiff sd = SameDiff.create();
    final ModelConfig config;
    final boolean training;
    final DataType dtype;
    private final Map<String, INDArray> state;
    private final Set<String> trainable;
    private final Map<String, SDVariable> vars = new HashMap<>();
    private final Map<String, SDVariable> constants = new HashMap<>();
    /** Parameters the graph actually uses. */
    final Set<String> used = new LinkedHashSet<>();
    /** BatchNorm layers in training mode: prefix, graph names of batch mean and biased variance, elements per channel per image. */
    final List<BnStat> bnStats = new ArrayList<>();

    record BnStat(String prefix, String meanName, String varName, long spatial) {
    }

    Net(ModelConfig config, boolean training, DataType dtype, Map<String, INDArray> state, Set<String> trainable) {
        this.config = config;
        this.training = training;
        this.dtype = dtype;
        this.state = state;
        this.trainable = trainable;
    }

    /** The variable of a state-dict entry; trainable parameters are variables, buffers constants. */
    SDVariable p(String key) {
        SDVariable v = vars.get(key);
        if (v != null) {
            return v;
        }
        INDArray arr = state.get(key);
        if (arr == null) {
            throw new IllegalStateException("no state entry " + key);
        }
        v = trainable.contains(key) ? sd.var(key, arr) : sd.constant(key, arr);
        // SameDiff keeps its own reference: make it the live array so in-place updates are seen
        sd.getVariable(key).setArray(arr);
        vars.put(key, v);
        used.add(key);
        return v;
    }

    /** A cached constant (one-hot tables, coordinate grids). */
    SDVariable constant(String name, INDArray value) {
        return constants.computeIfAbsent(name, n -> sd.constant(n, value.castTo(dtype)));
    }

    /** {@code x @ W^T + b} on a 2-D input {@code [M, in]}; PyTorch Linear. */
    SDVariable linear(SDVariable x2d, String prefix, boolean bias) {
        SDVariable y = sd.mmul(x2d, p(prefix + ".weight"), false, true, false);
        return bias ? y.add(p(prefix + ".bias")) : y;
    }

    /** Linear on {@code [B, N, in]} -> {@code [B, N, out]}. */
    SDVariable linear3(SDVariable x, String prefix, long n, long in, long out) {
        SDVariable y = linear(sd.reshape(x, -1, in), prefix, true);
        return sd.reshape(y, -1, n, out);
    }

    /** LayerNorm over {@code axis} (biased variance, as PyTorch), affine weight/bias broadcast from {@code shape}. */
    SDVariable layerNorm(SDVariable x, String prefix, int axis, double eps, long... affineShape) {
        SDVariable mu = x.mean(true, axis);
        SDVariable d = x.sub(mu);
        SDVariable var = d.mul(d).mean(true, axis);
        SDVariable y = d.mul(sd.math().rsqrt(var.add(eps)));
        SDVariable w = p(prefix + ".weight");
        SDVariable b = p(prefix + ".bias");
        if (affineShape.length > 0) {
            w = sd.reshape(w, affineShape);
            b = sd.reshape(b, affineShape);
        }
        return y.mul(w).add(b);
    }

    /** Exact (erf) GELU, PyTorch's nn.GELU default. */
    SDVariable gelu(SDVariable x) {
        SDVariable half = x.mul(0.5);
        return half.add(half.mul(sd.math().erf(x.mul(1.0 / Math.sqrt(2.0)))));
    }

    /**
     * TinyViT's {@code Conv2d_BN}: bias-free convolution (dense or depthwise) then BatchNorm2d, NCHW.
     * Evaluation mode folds the running statistics into the kernel and a bias (one fused conv);
     * training mode normalises with the batch statistics and records them.
     *
     * @param spatialOut output H*W, for the unbiased running-variance update
     */
    SDVariable convBn(SDVariable x, String prefix, int k, int stride, boolean depthwise, long spatialOut) {
        SDVariable w = p(prefix + ".c.weight");
        SDVariable gamma = p(prefix + ".bn.weight");
        SDVariable beta = p(prefix + ".bn.bias");
        Conv2DConfig cc = Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(k / 2).pW(k / 2)
                .dH(1).dW(1).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.VALID).dataFormat("NCHW").build();
        // [oC, iC, kH, kW] -> [kH, kW, iC, oC]; depthwise [C, 1, kH, kW] -> [kH, kW, C, 1]
        SDVariable kernel = depthwise ? sd.permute(w, 2, 3, 0, 1) : sd.permute(w, 2, 3, 1, 0);
        long outCh = state.get(prefix + ".c.weight").size(0);
        if (!training) {
            SDVariable scale = gamma.mul(sd.math().rsqrt(p(prefix + ".bn.running_var").add(ModelConfig.BN_EPS)));
            SDVariable shift = beta.sub(p(prefix + ".bn.running_mean").mul(scale));
            SDVariable folded = depthwise ? kernel.mul(sd.reshape(scale, 1, 1, outCh, 1))
                    : kernel.mul(sd.reshape(scale, 1, 1, 1, outCh));
            return depthwise ? sd.cnn().depthWiseConv2d(x, folded, shift, cc) : sd.cnn().conv2d(x, folded, shift, cc);
        }
        SDVariable y = depthwise ? sd.cnn().depthWiseConv2d(x, kernel, cc) : sd.cnn().conv2d(x, kernel, cc);
        SDVariable mean = y.mean(true, 0, 2, 3);
        SDVariable d = y.sub(mean);
        SDVariable var = d.mul(d).mean(true, 0, 2, 3);
        SDVariable meanFlat = sd.reshape(mean, outCh);
        SDVariable varFlat = sd.reshape(var, outCh);
        bnStats.add(new BnStat(prefix + ".bn", meanFlat.name(), varFlat.name(), spatialOut));
        SDVariable yn = d.mul(sd.math().rsqrt(var.add(ModelConfig.BN_EPS)));
        return yn.mul(sd.reshape(gamma, 1, outCh, 1, 1)).add(sd.reshape(beta, 1, outCh, 1, 1));
    }

    /** Slice {@code [begin, end)} along {@code axis} of a rank-{@code rank} variable. */
    SDVariable slice(SDVariable x, int rank, int axis, long begin, long end) {
        long[] b = new long[rank];
        long[] e = new long[rank];
        long[] s = new long[rank];
        int mask = 0;
        for (int i = 0; i < rank; i++) {
            s[i] = 1;
            if (i == axis) {
                b[i] = begin;
                e[i] = end;
            } else {
                mask |= 1 << i;
            }
        }
        return sd.stridedSlice(x, b, e, s, mask, mask, 0, 0, 0);
    }

    /** Tokens {@code [B, H*W, C]} -> NCHW {@code [B, C, H, W]}. */
    SDVariable tokensToNchw(SDVariable tokens, long c, long h, long w) {
        return sd.reshape(sd.permute(tokens, 0, 2, 1), -1, c, h, w);
    }

    /** NCHW {@code [B, C, H, W]} -> tokens {@code [B, H*W, C]}. */
    SDVariable nchwToTokens(SDVariable x, long c, long h, long w) {
        return sd.permute(sd.reshape(x, -1, c, h * w), 0, 2, 1);
    }

    static INDArray zeros(DataType dt, long... shape) {
        return Nd4j.zeros(dt, shape);
    }
}

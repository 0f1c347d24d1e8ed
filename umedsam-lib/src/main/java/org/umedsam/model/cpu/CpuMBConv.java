package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * TinyViT inverted-residual block in evaluation mode, channel-first {@code [C, H*W]} for one image:
 * {@code gelu(x + conv3(gelu(dw3x3(gelu(conv1 x)))))}, each conv with its BatchNorm folded; hidden = expand * C.
 */
final class CpuMBConv {

    private final FoldedConv conv1;
    private final FoldedConv conv2;
    private final FoldedConv conv3;

    private final String out;

    CpuMBConv(StateDictWeights w, String prefix, int dim, int hidden) {
        this.out = prefix + ".out";
        conv1 = FoldedConv.read(w, prefix + ".conv1", dim, hidden, 1, false);
        conv2 = FoldedConv.read(w, prefix + ".conv2", hidden, hidden, 3, true);
        conv3 = FoldedConv.read(w, prefix + ".conv3", hidden, dim, 1, false);
    }

    /** {@code x [C, side*side]} -> new {@code [C, side*side]}. */
    float[] forward(float[] x, int side, Workspace ws) {
        int hw = side * side;
        int hidden = conv1.outChannels();
        int dim = conv3.outChannels();
        float[] h1 = ws.get("mbconv.h1", hidden * hw);
        // conv1's bias and GELU are applied by the depthwise kernel as it loads rows (one pass less over h1)
        Gemm.multiply(conv1.weight(), 0, hidden, dim, x, 0, hw, false, h1, 0);
        float[] h2 = ws.get("mbconv.h2", hidden * hw);
        DepthwiseConv3x3.chw(h1, h2, hidden, side, side, conv1.bias(), conv2.weight(), conv2.bias(), true);
        float[] y = h1; // hidden >= dim: h1 is dead here
        Gemm.multiply(conv3.weight(), 0, dim, hidden, h2, 0, hw, false, y, 0);
        float[] b = conv3.bias();
        float[] out = ws.get(this.out, dim * hw);
        IntStream.range(0, dim).parallel().forEach(c -> {
            int o = c * hw;
            float bc = b[c];
            for (int i = 0; i < hw; i++) {
                out[o + i] = y[o + i] + x[o + i];
            }
            Gelu.applyBias(out, o, hw, bc);
        });
        return out;
    }
}

package org.umedsam.model.cpu;

/**
 * TinyViT patch merging in evaluation mode, channel-last for one image: 1x1 Conv2d_BN dim -> out, GELU,
 * depthwise 3x3 Conv2d_BN with the stage's stride, GELU, 1x1 Conv2d_BN.
 * {@code [side*side, dim] -> [side'*side', out]}, {@code side' = (side - 1) / stride + 1}.
 */
final class PatchMerging {

    private final FoldedConv conv1;
    private final FoldedConv conv2;
    private final float[] conv2Taps;
    /** Stride 1 only: conv2's taps and bias tiled along a depthwise segment ({@link DepthwiseConv3x3#hwcBand}). */
    private final float[][] conv2Tiled;
    private final DepthwiseBand depthwise;
    private final FoldedConv conv3;
    private final int stride;
    private final String out;

    PatchMerging(StateDictWeights w, String prefix, int dim, int out, int stride) {
        conv1 = FoldedConv.read(w, prefix + ".conv1", dim, out, 1, false);
        conv2 = FoldedConv.read(w, prefix + ".conv2", out, out, 3, true);
        conv2Taps = conv2.tapMajor();
        conv3 = FoldedConv.read(w, prefix + ".conv3", out, out, 1, false);
        this.stride = stride;
        depthwise = DepthwiseBand.forInference(out);
        conv2Tiled = stride == 1 ? DepthwiseConv3x3.tiledTaps(conv2Taps, conv2.bias(), out,
                Math.max(1, DepthwiseConv3x3.SEGMENT_FLOATS / out)) : null;
        this.out = prefix + ".out";
    }

    int outputSide(int side) {
        return DepthwiseConv3x3.outputSide(side, stride);
    }

    float[] forward(float[] x, int side, Workspace ws) {
        int c = conv1.outChannels();
        float[] h = ws.get("merge.h", side * side * c);
        conv1.pointwiseHwc(x, side * side, h, true);
        int os = outputSide(side);
        float[] h2 = ws.get("merge.h2", os * os * c);
        if (conv2Tiled != null) {
            depthwise.apply(h, 0, side, side, c, 0, side, conv2Tiled, true, h2, 0);
        } else {
            DepthwiseConv3x3.hwc(h, h2, side, c, stride, conv2Taps, conv2.bias(), true);
        }
        float[] y = ws.get(out, os * os * c);
        conv3.pointwiseHwc(h2, os * os, y, false);
        return y;
    }
}

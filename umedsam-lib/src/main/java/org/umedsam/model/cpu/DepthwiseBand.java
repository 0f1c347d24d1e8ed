package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

/**
 * A stride-1 depthwise 3x3 convolution over a band of output rows of a channel-last map, as
 * {@link DepthwiseConv3x3#hwcBand} defines it (same arguments, same function): the plain-Java kernel or
 * {@link VectorDepthwiseConv3x3}. Inference layers pick one when their weights are snapshotted.
 */
@FunctionalInterface
interface DepthwiseBand {

    /** See {@link DepthwiseConv3x3#hwcBand}. */
    void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1, float[][] tiled,
               boolean gelu, float[] y, int yOff);

    /** {@link VectorDepthwiseConv3x3} when {@link VectorSupport#enabled()} and it supports {@code channels}. */
    static DepthwiseBand forInference(int channels) {
        if (VectorSupport.enabled() && VectorDepthwiseConv3x3.supports(channels)) {
            return VectorDepthwiseConv3x3::hwcBand;
        }
        return DepthwiseConv3x3::hwcBand;
    }
}

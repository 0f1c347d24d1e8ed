package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

/**
 * A stride-1 depthwise 3x3 convolution over a band of output rows of a channel-last map, as
 * {@link DepthwiseConv3x3#hwcBand} defines it (same arguments, same function): the plain-Java kernel or
 * {@link VectorDepthwiseConv3x3}. Inference layers pick one when their weights are snapshotted.
 */
enum DepthwiseBand {

    /** {@link DepthwiseConv3x3}, plain Java. */
    PLAIN {
        @Override
        void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1, float[][] tiled,
                   boolean gelu, float[] y, int yOff) {
            DepthwiseConv3x3.hwcBand(x, firstRow, height, width, channels, row0, row1, tiled, gelu, y, yOff);
        }

        @Override
        void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1, float[][] tiled,
                   boolean gelu, NativeFloats y) {
            DepthwiseConv3x3.hwcBand(x, firstRow, height, width, channels, row0, row1, tiled, gelu, y);
        }
    },
    /** {@link VectorDepthwiseConv3x3}, loaded only when picked. */
    VECTOR {
        @Override
        void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1, float[][] tiled,
                   boolean gelu, float[] y, int yOff) {
            VectorDepthwiseConv3x3.hwcBand(x, firstRow, height, width, channels, row0, row1, tiled, gelu, y, yOff);
        }

        @Override
        void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1, float[][] tiled,
                   boolean gelu, NativeFloats y) {
            VectorDepthwiseConv3x3.hwcBand(x, firstRow, height, width, channels, row0, row1, tiled, gelu, y);
        }
    };

    /** See {@link DepthwiseConv3x3#hwcBand(float[], int, int, int, int, int, int, float[][], boolean, float[], int)}. */
    abstract void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                        float[][] tiled, boolean gelu, float[] y, int yOff);

    /**
     * The same outputs into an off-heap buffer from index 0 ({@link DepthwiseConv3x3#hwcBand(float[], int, int, int,
     * int, int, int, float[][], boolean, NativeFloats)}), for a product that reads them next.
     */
    abstract void apply(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                        float[][] tiled, boolean gelu, NativeFloats y);

    /** {@link #VECTOR} when {@link VectorSupport#enabled()} and it supports {@code channels}, else {@link #PLAIN}. */
    static DepthwiseBand forInference(int channels) {
        if (VectorSupport.enabled() && VectorDepthwiseConv3x3.supports(channels)) {
            return VECTOR;
        }
        return PLAIN;
    }
}

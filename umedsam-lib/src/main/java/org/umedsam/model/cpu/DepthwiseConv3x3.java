package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * Depthwise 3x3 convolution with zero padding 1 plus a per-channel bias (PyTorch {@code Conv2d(C, C, 3,
 * stride, 1, groups=C)}), on channel-first or channel-last heap maps. Output side
 * {@code (side + 2 - 3) / stride + 1}.
 */
public final class DepthwiseConv3x3 {

    private DepthwiseConv3x3() {
    }

    /** Output side for an input side and stride. */
    public static int outputSide(int side, int stride) {
        return (side + 2 - 3) / stride + 1;
    }

    /**
     * Stride 1 on a channel-first map {@code x [C, H, W] -> y [C, H, W]}, then GELU when asked; parallel over
     * channels.
     *
     * @param weight {@code [C, 3, 3]} (PyTorch {@code [C, 1, 3, 3]})
     */
    public static void chw(float[] x, float[] y, int channels, int h, int w, float[] weight, float[] bias, boolean gelu) {
        int hw = h * w;
        IntStream.range(0, channels).parallel().forEach(c -> {
            int base = c * hw;
            for (int oy = 0; oy < h; oy++) {
                int o = base + oy * w;
                float b = bias[c];
                for (int ox = 0; ox < w; ox++) {
                    y[o + ox] = b;
                }
                for (int ky = 0; ky < 3; ky++) {
                    int iy = oy + ky - 1;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    int in = base + iy * w;
                    float w0 = weight[c * 9 + ky * 3];
                    float w1 = weight[c * 9 + ky * 3 + 1];
                    float w2 = weight[c * 9 + ky * 3 + 2];
                    // left tap reads x-1: valid from ox = 1; right tap reads x+1: valid up to ox = w-2
                    if (w == 1) {
                        y[o] += w1 * x[in];
                        continue;
                    }
                    y[o] += w1 * x[in] + w2 * x[in + 1];
                    for (int ox = 1; ox < w - 1; ox++) {
                        y[o + ox] += w0 * x[in + ox - 1] + w1 * x[in + ox] + w2 * x[in + ox + 1];
                    }
                    y[o + w - 1] += w0 * x[in + w - 2] + w1 * x[in + w - 1];
                }
            }
            if (gelu) {
                Gelu.apply(y, base, hw);
            }
        });
    }

    /**
     * Any stride on a channel-last map {@code x [H, W, C] -> y [H', W', C]}, then GELU when asked; parallel
     * over output rows.
     *
     * @param tapMajor {@code [9, C]}: tap {@code ky*3+kx}, then channel
     */
    public static void hwc(float[] x, float[] y, int side, int channels, int stride, float[] tapMajor, float[] bias,
                           boolean gelu) {
        int out = outputSide(side, stride);
        int c = channels;
        IntStream.range(0, out).parallel().forEach(oy -> {
            for (int ox = 0; ox < out; ox++) {
                int o = (oy * out + ox) * c;
                System.arraycopy(bias, 0, y, o, c);
                for (int ky = 0; ky < 3; ky++) {
                    int iy = oy * stride + ky - 1;
                    if (iy < 0 || iy >= side) {
                        continue;
                    }
                    for (int kx = 0; kx < 3; kx++) {
                        int ix = ox * stride + kx - 1;
                        if (ix < 0 || ix >= side) {
                            continue;
                        }
                        int in = (iy * side + ix) * c;
                        int t = (ky * 3 + kx) * c;
                        for (int i = 0; i < c; i++) {
                            y[o + i] += tapMajor[t + i] * x[in + i];
                        }
                    }
                }
            }
            if (gelu) {
                Gelu.apply(y, oy * out * c, out * c);
            }
        });
    }
}

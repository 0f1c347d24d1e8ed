package org.umedsam.model.cpu;

import static org.umedsam.model.cpu.KernelTestSupport.rand;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Depthwise 3x3 convolution (padding 1) on both layouts against a naive loop, strides 1 and 2, odd sides. */
class DepthwiseConv3x3Test {

    /** Naive reference on a channel-first map, any stride, optional GELU (double accumulation). */
    static double[] naive(float[] xChw, int c, int side, int stride, float[] w, float[] b, boolean gelu) {
        int out = (side - 1) / stride + 1;
        double[] y = new double[c * out * out];
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < out; oy++) {
                for (int ox = 0; ox < out; ox++) {
                    double s = b[ch];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy * stride + ky - 1;
                            int ix = ox * stride + kx - 1;
                            if (iy >= 0 && iy < side && ix >= 0 && ix < side) {
                                s += (double) w[ch * 9 + ky * 3 + kx] * xChw[(ch * side + iy) * side + ix];
                            }
                        }
                    }
                    y[(ch * out + oy) * out + ox] = gelu ? KernelsTest.geluRef(s) : s;
                }
            }
        }
        return y;
    }

    @Test
    void channelLastMatchesNaive() {
        Random r = new Random(9);
        for (int side : new int[]{1, 2, 7, 9, 16}) {
            for (int stride : new int[]{1, 2}) {
                for (boolean gelu : new boolean[]{false, true}) {
                    int c = 13;
                    float[] x = rand(r, c * side * side);
                    float[] w = rand(r, c * 9);
                    float[] b = rand(r, c);
                    double[] ref = naive(x, c, side, stride, w, b, gelu);
                    int out = DepthwiseConv3x3.outputSide(side, stride);
                    float[] xh = new float[x.length];
                    Transpose.apply(x, c, side * side, xh);
                    float[] taps = new float[9 * c];
                    for (int ch = 0; ch < c; ch++) {
                        for (int k = 0; k < 9; k++) {
                            taps[k * c + ch] = w[ch * 9 + k];
                        }
                    }
                    float[] yh = new float[out * out * c];
                    DepthwiseConv3x3.hwc(xh, yh, side, c, stride, taps, b, gelu);
                    double errHwc = 0;
                    for (int p = 0; p < out * out; p++) {
                        for (int ch = 0; ch < c; ch++) {
                            errHwc = Math.max(errHwc, Math.abs(yh[p * c + ch] - ref[ch * out * out + p]));
                        }
                    }
                    System.out.printf("KERNEL depthwise side %2d stride %d gelu %-5s: hwc err %.2e%n", side, stride, gelu,
                            errHwc);
                    assertThat(errHwc).isLessThan(1e-5);
                }
            }
        }
    }
}

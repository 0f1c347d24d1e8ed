package org.umedsam.model.cpu;

import static org.umedsam.model.cpu.KernelTestSupport.dot;
import static org.umedsam.model.cpu.KernelTestSupport.rand;
import static org.umedsam.model.cpu.KernelTestSupport.relErr;
import static org.umedsam.model.cpu.KernelTestSupport.toDouble;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backward of the bias-free depthwise 3x3 convolution (padding 1) against a plain double reference and central
 * finite differences: channel-first stride 1 (square and not), channel-last strides 1 and 2 on odd and even
 * sides; bit-reproducibility and accumulation of dWeight.
 */
class DepthwiseConv3x3GradientTest {

    /** Reference forward, channel-first {@code [C, h, w]} input, any stride, no bias. */
    static double[] forwardRef(double[] x, int c, int h, int w, int stride, double[] wt) {
        int oh = (h - 1) / stride + 1;
        int ow = (w - 1) / stride + 1;
        double[] y = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double s = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy * stride + ky - 1;
                            int ix = ox * stride + kx - 1;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                s += wt[ch * 9 + ky * 3 + kx] * x[(ch * h + iy) * w + ix];
                            }
                        }
                    }
                    y[(ch * oh + oy) * ow + ox] = s;
                }
            }
        }
        return y;
    }

    /** Reference backward by scattering each output's gradient: {dx [C, h, w], dW [C, 9]}. */
    static double[][] backwardRef(double[] x, double[] dy, int c, int h, int w, int stride, double[] wt) {
        int oh = (h - 1) / stride + 1;
        int ow = (w - 1) / stride + 1;
        double[] dx = new double[x.length];
        double[] dw = new double[c * 9];
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double g = dy[(ch * oh + oy) * ow + ox];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy * stride + ky - 1;
                            int ix = ox * stride + kx - 1;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                int i = (ch * h + iy) * w + ix;
                                dx[i] += wt[ch * 9 + ky * 3 + kx] * g;
                                dw[ch * 9 + ky * 3 + kx] += x[i] * g;
                            }
                        }
                    }
                }
            }
        }
        return new double[][]{dx, dw};
    }

    static double loss(double[] x, double[] r, int c, int h, int w, int stride, double[] wt) {
        double[] y = forwardRef(x, c, h, w, stride, wt);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += r[i] * y[i];
        }
        return s;
    }

    @Test
    void forwardKernelsMatchReferenceWithZeroBias() {
        Random rnd = new Random(11);
        int c = 6;
        for (int side : new int[]{7, 8}) {
            for (int stride : new int[]{1, 2}) {
                float[] x = rand(rnd, c * side * side);
                float[] w = rand(rnd, c * 9);
                double[] ref = forwardRef(toDouble(x), c, side, side, stride, toDouble(w));
                int out = DepthwiseConv3x3.outputSide(side, stride);
                float[] yh = new float[out * out * c];
                DepthwiseConv3x3.hwc(hwc(x, c, side * side), yh, side, c, stride, tapMajor(w, c), new float[c], false);
                assertThat(maxAbs(chw(yh, c, out * out), ref)).isLessThan(1e-5);
            }
        }
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(12);
        int c = 2;
        for (int[] hw : new int[][]{{5, 5}, {4, 6}}) {
            for (int stride : new int[]{1, 2}) {
                int h = hw[0];
                int w = hw[1];
                double[] x = toDouble(rand(rnd, c * h * w));
                double[] wt = toDouble(rand(rnd, c * 9));
                int n = c * ((h - 1) / stride + 1) * ((w - 1) / stride + 1);
                double[] r = toDouble(rand(rnd, n));
                double[][] g = backwardRef(x, r, c, h, w, stride, wt);
                double worst = 0;
                double step = 1e-6;
                for (double[][] pair : new double[][][]{{x, g[0]}, {wt, g[1]}}) {
                    double[] p = pair[0];
                    for (int i = 0; i < p.length; i++) {
                        double keep = p[i];
                        p[i] = keep + step;
                        double lp = loss(x, r, c, h, w, stride, wt);
                        p[i] = keep - step;
                        double lm = loss(x, r, c, h, w, stride, wt);
                        p[i] = keep;
                        worst = Math.max(worst, Math.abs((lp - lm) / (2 * step) - pair[1][i]));
                    }
                }
                assertThat(worst).as("%dx%d stride %d", h, w, stride).isLessThan(1e-7);
            }
        }
    }

    @Test
    void channelLastBackwardMatchesReferenceAndDirectionalDerivative() {
        Random rnd = new Random(14);
        int c = 6;
        for (int side : new int[]{7, 8, 1, 2, 3, 37}) {
            for (int stride : new int[]{1, 2}) {
                int out = DepthwiseConv3x3.outputSide(side, stride);
                float[] x = rand(rnd, c * side * side);
                float[] wt = rand(rnd, c * 9);
                float[] dy = rand(rnd, c * out * out);
                double[][] ref = backwardRef(toDouble(x), toDouble(dy), c, side, side, stride, toDouble(wt));
                float[] dxh = new float[x.length];
                Arrays.fill(dxh, Float.NaN); // overwritten, not accumulated
                float[] dw = new float[c * 9];
                DepthwiseConv3x3Gradient.hwc(hwc(x, c, side * side), hwc(dy, c, out * out), side, c, stride, wt, dxh, dw);
                float[] dx = chw(dxh, c, side * side);
                double errX = relErr(dx, ref[0]);
                double errW = relErr(dw, ref[1]);
                double dir = directionalError(rnd, x, wt, dy, dx, dw, c, side, side, stride);
                System.out.printf("KERNEL depthwise backward hwc side %2d stride %d: rel err dx %.2e dW %.2e, directional %.2e%n",
                        side, stride, errX, errW, dir);
                assertThat(errX).isLessThan(1e-5);
                assertThat(errW).isLessThan(1e-5);
                assertThat(dir).isLessThan(1e-3);
            }
        }
    }

    @Test
    void bitReproducibleAndWeightGradientAccumulates() {
        Random rnd = new Random(15);
        int c = 40;
        int side = 70; // several channel-last row chunks, a ragged last one
        float[] x = rand(rnd, c * side * side);
        float[] wt = rand(rnd, c * 9);
        for (int stride : new int[]{1, 2}) {
            int out = DepthwiseConv3x3.outputSide(side, stride);
            float[] dy = rand(rnd, c * out * out);
            float[] dx0 = new float[x.length];
            float[] dw0 = new float[c * 9];
            DepthwiseConv3x3Gradient.hwc(x, dy, side, c, stride, wt, dx0, dw0);
            for (int rep = 0; rep < 2; rep++) {
                float[] dx = new float[x.length];
                float[] dw = new float[c * 9];
                DepthwiseConv3x3Gradient.hwc(x, dy, side, c, stride, wt, dx, dw);
                assertThat(Arrays.equals(dx, dx0)).isTrue();
                assertThat(Arrays.equals(dw, dw0)).isTrue();
            }
            float[] start = rand(rnd, c * 9);
            float[] acc = start.clone();
            DepthwiseConv3x3Gradient.hwc(x, dy, side, c, stride, wt, new float[x.length], acc);
            for (int i = 0; i < acc.length; i++) {
                assertThat(acc[i]).isEqualTo(start[i] + dw0[i]);
            }
        }
    }

    /**
     * The weight gradient's lanes are per-thread buffers kept between calls: a call must give the same bits after a
     * larger call left its values in them, on the vectorised path (32 channels) and the plain one (40).
     */
    @Test
    void weightGradientIgnoresWhatALargerCallLeftInItsLanes() {
        Random rnd = new Random(16);
        for (int c : new int[]{32, 40}) {
            int side = 20;
            float[] x = rand(rnd, c * side * side);
            float[] dy = rand(rnd, c * side * side);
            float[] wt = rand(rnd, c * 9);
            float[] dw0 = new float[c * 9];
            DepthwiseConv3x3Gradient.hwc(x, dy, side, c, 1, wt, new float[x.length], dw0);
            int big = 64;
            DepthwiseConv3x3Gradient.hwc(rand(rnd, 48 * big * big), rand(rnd, 48 * big * big), big, 48, 1,
                    rand(rnd, 48 * 9), new float[48 * big * big], new float[48 * 9]);
            float[] dw = new float[c * 9];
            DepthwiseConv3x3Gradient.hwc(x, dy, side, c, 1, wt, new float[x.length], dw);
            assertThat(Arrays.equals(dw, dw0)).as("%d channels", c).isTrue();
        }
    }

    @Test
    void badInputIsRejected() {
        float[] x = new float[2 * 9];
        assertThatThrownBy(() -> DepthwiseConv3x3Gradient.hwc(x, new float[18], 3, 2, 3, new float[18], new float[18],
                new float[18])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride 3");
        assertThatThrownBy(() -> DepthwiseConv3x3Gradient.hwc(x, new float[17], 3, 2, 1, new float[18], new float[18],
                new float[18])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dy has 17");
        float[] dy = new float[18];
        assertThatThrownBy(() -> DepthwiseConv3x3Gradient.hwc(x, dy, 3, 2, 1, new float[18], dy, new float[18]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("separate");
    }

    /**
     * Relative error of the float gradient's directional derivative {@code <dx, vx> + <dW, vW>} against central
     * differences of the double reference loss {@code sum dy * y} along a random direction.
     */
    private static double directionalError(Random rnd, float[] x, float[] wt, float[] dy, float[] dx, float[] dw,
                                           int c, int h, int w, int stride) {
        float[] vx = rand(rnd, x.length);
        float[] vw = rand(rnd, wt.length);
        double analytic = dot(dx, vx) + dot(dw, vw);
        double step = 1e-4;
        double[] fd = new double[2];
        for (int s = 0; s < 2; s++) {
            double sign = s == 0 ? 1 : -1;
            double[] xs = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xs[i] = x[i] + sign * step * vx[i];
            }
            double[] ws = new double[wt.length];
            for (int i = 0; i < wt.length; i++) {
                ws[i] = wt[i] + sign * step * vw[i];
            }
            fd[s] = loss(xs, toDouble(dy), c, h, w, stride, ws);
        }
        double num = (fd[0] - fd[1]) / (2 * step);
        return Math.abs(analytic - num) / Math.max(Math.abs(num), 1e-12);
    }

    static float[] hwc(float[] chw, int c, int hw) {
        float[] t = new float[chw.length];
        Transpose.apply(chw, c, hw, t);
        return t;
    }

    static float[] chw(float[] hwc, int c, int hw) {
        float[] t = new float[hwc.length];
        Transpose.apply(hwc, hw, c, t);
        return t;
    }

    static float[] tapMajor(float[] w, int c) {
        float[] t = new float[9 * c];
        for (int ch = 0; ch < c; ch++) {
            for (int k = 0; k < 9; k++) {
                t[k * c + ch] = w[ch * 9 + k];
            }
        }
        return t;
    }

    static double maxAbs(float[] a, double[] ref) {
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            e = Math.max(e, Math.abs(a[i] - ref[i]));
        }
        return e;
    }
}

package org.umedsam.model.cpu;

import static org.umedsam.model.cpu.KernelTestSupport.rand;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The CPU decoder's kernels against naive definitions. */
class MaskDecoderKernelsTest {

    /** erf by its Maclaurin series (|x| <= 3) and the continued fraction of erfc beyond. */
    static double erfReference(double x) {
        double a = Math.abs(x);
        double r;
        if (a <= 3) {
            double term = a;
            double sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int k = 60; k >= 1; k--) {
                f = k / 2.0 / (a + f);
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        }
        return x < 0 ? -r : r;
    }

    @Test
    void geluEdgeValues() {
        assertThat(Gelu.gelu(-1e30f)).isCloseTo(0f, within(0f));
        assertThat(Gelu.gelu(1e30f)).isEqualTo(1e30f);
        assertThat(Gelu.gelu(1.0f)).isCloseTo(0.8413447f, within(3e-7f));
    }

    @Test
    void geluDerivativeMatchesExact() {
        double worst = 0;
        float[] x = new float[20001];
        for (int i = 0; i < x.length; i++) {
            x[i] = -10f + 20f * i / (x.length - 1);
        }
        float[] value = new float[x.length];
        float[] grad = new float[x.length];
        Gelu.derivative(x, 0, x.length, value, grad);
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            double exact = 0.5 * (1 + erfReference(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
            worst = Math.max(worst, Math.abs(grad[i] - exact));
            assertThat(value[i]).isEqualTo(Gelu.gelu(x[i]));
            assertThat(Gelu.derivative(x[i])).isEqualTo(grad[i]);
        }
        System.out.printf("KERNEL gelu derivative max abs error on [-10, 10]: %.2e%n", worst);
        assertThat(worst).isLessThanOrEqualTo(1e-5);
        assertThat(Gelu.derivative(-1e30f)).isCloseTo(0f, within(0f));
        assertThat(Gelu.derivative(1e30f)).isEqualTo(1f);
    }

    @Test
    void geluDerivativeBulkFormsEqualTheScalarOne() {
        java.util.Random r = new java.util.Random(4);
        int n = 3000; // more than one 1024-value row of multiplyByDerivative, and a ragged last row
        float[] x = new float[n + 7];
        float[] g = new float[n + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (4 * r.nextGaussian());
        }
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian();
        }
        float[] got = g.clone();
        Gelu.multiplyByDerivative(x, 7, got, 5, n);
        float[] inPlace = x.clone();
        Gelu.derivativeInPlace(inPlace, 7, n);
        for (int i = 0; i < 5; i++) {
            assertThat(got[i]).isEqualTo(g[i]);
        }
        for (int i = 0; i < n; i++) {
            float d = Gelu.derivative(x[7 + i]);
            assertThat(got[5 + i]).isEqualTo(g[5 + i] * d);
            assertThat(inPlace[7 + i]).isEqualTo(d);
        }
        for (int i = 0; i < 7; i++) {
            assertThat(inPlace[i]).isEqualTo(x[i]);
        }
    }

    @Test
    void geluMatchesErfDefinition() {
        int n = 40001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -10f + 20f * i / (n - 1);
        }
        float[] y = x.clone();
        Gelu.apply(y, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double ref = 0.5 * x[i] * (1 + erfReference(x[i] / Math.sqrt(2)));
            worst = Math.max(worst, Math.abs(y[i] - ref) / Math.max(1, Math.abs(x[i])));
            assertThat(Gelu.gelu(x[i])).isEqualTo(y[i]);
        }
        System.out.printf("KERNEL gelu max error / max(1, |x|) on [-10, 10]: %.2e%n", worst);
        assertThat(worst).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void layerNormAndSoftmax() {
        float[] x = {1, 2, 3, 4, -1, 0, 1, 10};
        float[] w = {1, 2, 1, 1};
        float[] b = {0, 0, 1, 0};
        LayerNorm.rows(x, 0, x, 0, 2, 4, w, b, 1e-5f);
        // row 0: mean 2.5, var 1.25
        double inv = 1 / Math.sqrt(1.25 + 1e-5);
        assertThat(x[0]).isCloseTo((float) (-1.5 * inv), within(1e-6f));
        assertThat(x[1]).isCloseTo((float) (2 * -0.5 * inv), within(1e-6f));
        assertThat(x[2]).isCloseTo((float) (0.5 * inv + 1), within(1e-6f));
        float[] s = {0, 1, 2, 5, 5, 5};
        Softmax.rows(s, 0, 2, 3, 0.5f);
        double z = 1 + Math.exp(0.5) + Math.exp(1);
        // FastExp is within about 2 ulp
        assertThat(s[0]).isCloseTo((float) (1 / z), within(3e-7f));
        assertThat(s[2]).isCloseTo((float) (Math.exp(1) / z), within(3e-7f));
        assertThat(s[4]).isCloseTo(1f / 3, within(1e-7f));
    }

    @Test
    void linearMatchesDefinition() {
        Random r = new Random(1);
        int in = 13;
        int out = 7;
        float[] w = rand(r, out * in);
        float[] bias = rand(r, out);
        float[] x = rand(r, 3 * in);
        float[] y = new Linear(w, bias, in, out).apply(x, 3, Activation.RELU);
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < out; o++) {
                double d = bias[o];
                for (int k = 0; k < in; k++) {
                    d += x[i * in + k] * w[o * in + k];
                }
                assertThat(y[i * out + o]).isCloseTo((float) Math.max(d, 0), within(1e-5f));
            }
        }
    }

    /** A 2x2 stride-2 transposed convolution as GEMM over sub-pixel columns equals the direct definition. */
    @Test
    void transposedConvolutionAsGemm() {
        Random r = new Random(2);
        int cin = 6;
        int cout = 5;
        int h = 3;
        int wd = 4;
        float[] x = rand(r, cin * h * wd); // NCHW
        float[] w = rand(r, cin * cout * 4); // PyTorch [in, out, 2, 2]
        // direct: out[co, 2y+dy, 2x+dx] = sum_ci x[ci, y, x] w[ci, co, dy, dx]
        float[] direct = new float[cout * 2 * h * 2 * wd];
        for (int ci = 0; ci < cin; ci++) {
            for (int co = 0; co < cout; co++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < wd; xx++) {
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                direct[(co * 2 * h + 2 * yy + dy) * 2 * wd + 2 * xx + dx] +=
                                        x[(ci * h + yy) * wd + xx] * w[((ci * cout + co) * 2 + dy) * 2 + dx];
                            }
                        }
                    }
                }
            }
        }
        float[] tokens = new float[h * wd * cin];
        for (int ci = 0; ci < cin; ci++) {
            for (int p = 0; p < h * wd; p++) {
                tokens[p * cin + ci] = x[ci * h * wd + p];
            }
        }
        float[] cols = MaskUpscaler.subPixelColumns(w, cin, cout);
        float[] y = new float[h * wd * 4 * cout];
        Gemm.multiply(tokens, 0, h * wd, cin, cols, 0, 4 * cout, false, y, 0);
        for (int p = 0; p < h * wd; p++) {
            for (int q = 0; q < 4; q++) {
                for (int co = 0; co < cout; co++) {
                    int oy = 2 * (p / wd) + (q >> 1);
                    int ox = 2 * (p % wd) + (q & 1);
                    assertThat(y[p * 4 * cout + q * cout + co]).isCloseTo(direct[(co * 2 * h + oy) * 2 * wd + ox], within(1e-5f));
                }
            }
        }
    }
}

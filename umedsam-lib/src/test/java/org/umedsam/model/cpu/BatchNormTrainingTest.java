package org.umedsam.model.cpu;

import static org.umedsam.model.cpu.KernelTestSupport.centralDifference;
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
 * Training-mode BatchNorm (+ GELU) against a plain double reference of PyTorch's formula
 * ({@code (x - mean) / sqrt(var_biased + eps) * gamma + beta} over (B, H, W)), its backward against the reference
 * gradient and central finite differences, both layouts, bit-reproducibility and accumulation.
 */
class BatchNormTrainingTest {

    private static final double EPS = 1e-5;

    /** Reference forward in double, channel-first {@code x[b][c*hw + i]}. */
    static double[][] forwardRef(double[][] x, int c, int hw, double[] gamma, double[] beta, boolean gelu) {
        int n = x.length * hw;
        double[][] y = new double[x.length][c * hw];
        for (int ch = 0; ch < c; ch++) {
            double m = 0;
            for (double[] xb : x) {
                for (int i = 0; i < hw; i++) {
                    m += xb[ch * hw + i];
                }
            }
            m /= n;
            double v = 0;
            for (double[] xb : x) {
                for (int i = 0; i < hw; i++) {
                    double d = xb[ch * hw + i] - m;
                    v += d * d;
                }
            }
            v /= n;
            double inv = 1 / Math.sqrt(v + EPS);
            for (int b = 0; b < x.length; b++) {
                for (int i = 0; i < hw; i++) {
                    double z = gamma[ch] * (x[b][ch * hw + i] - m) * inv + beta[ch];
                    y[b][ch * hw + i] = gelu ? KernelsTest.geluRef(z) : z;
                }
            }
        }
        return y;
    }

    /** GELU' exact: Phi(z) + z phi(z). */
    static double geluDerivRef(double z) {
        return 0.5 * (1 + KernelsTest.erfRef(z / Math.sqrt(2))) + z * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }

    /** Reference backward in double: returns {dx (flattened over b), dGamma, dBeta}. */
    static double[][] backwardRef(double[][] x, int c, int hw, double[] gamma, double[] beta, boolean gelu,
                                  double[][] dy) {
        int bn = x.length;
        int n = bn * hw;
        double[] dx = new double[bn * c * hw];
        double[] dg = new double[c];
        double[] db = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double m = 0;
            for (double[] xb : x) {
                for (int i = 0; i < hw; i++) {
                    m += xb[ch * hw + i];
                }
            }
            m /= n;
            double v = 0;
            for (double[] xb : x) {
                for (int i = 0; i < hw; i++) {
                    v += (xb[ch * hw + i] - m) * (xb[ch * hw + i] - m);
                }
            }
            v /= n;
            double inv = 1 / Math.sqrt(v + EPS);
            double[] g = new double[n];
            double[] xh = new double[n];
            for (int b = 0; b < bn; b++) {
                for (int i = 0; i < hw; i++) {
                    int k = b * hw + i;
                    xh[k] = (x[b][ch * hw + i] - m) * inv;
                    double z = gamma[ch] * xh[k] + beta[ch];
                    g[k] = dy[b][ch * hw + i] * (gelu ? geluDerivRef(z) : 1);
                    db[ch] += g[k];
                    dg[ch] += g[k] * xh[k];
                }
            }
            for (int b = 0; b < bn; b++) {
                for (int i = 0; i < hw; i++) {
                    int k = b * hw + i;
                    dx[(b * c + ch) * hw + i] = gamma[ch] * inv / n * (n * g[k] - db[ch] - xh[k] * dg[ch]);
                }
            }
        }
        return new double[][]{dx, dg, db};
    }

    /** Loss {@code sum r * y} of the reference forward. */
    static double lossRef(double[][] x, int c, int hw, double[] gamma, double[] beta, boolean gelu, double[][] r) {
        double[][] y = forwardRef(x, c, hw, gamma, beta, gelu);
        double s = 0;
        for (int b = 0; b < y.length; b++) {
            for (int i = 0; i < y[b].length; i++) {
                s += r[b][i] * y[b][i];
            }
        }
        return s;
    }

    @Test
    void statisticsAndForwardMatchPyTorchFormulaInBothLayouts() {
        Random rnd = new Random(1);
        for (int batch : new int[]{1, 2}) {
            for (boolean gelu : new boolean[]{false, true}) {
                int c = 5;
                int hw = 49;
                float[][] x = randBatch(rnd, batch, c * hw, 3f, 1.5f);
                float[] gamma = rand(rnd, c);
                float[] beta = rand(rnd, c);
                double[][] ref = forwardRef(toDouble(x), c, hw, toDouble(gamma), toDouble(beta), gelu);

                BatchNormTraining.Statistics s = BatchNormTraining.statisticsChw(x, c, hw, EPS);
                assertThat(s.count()).isEqualTo((long) batch * hw);
                double[][] xd = toDouble(x);
                for (int ch = 0; ch < c; ch++) {
                    double m = 0;
                    for (double[] xb : xd) {
                        for (int i = 0; i < hw; i++) {
                            m += xb[ch * hw + i];
                        }
                    }
                    m /= batch * hw;
                    double v = 0;
                    for (double[] xb : xd) {
                        for (int i = 0; i < hw; i++) {
                            v += (xb[ch * hw + i] - m) * (xb[ch * hw + i] - m);
                        }
                    }
                    v /= batch * hw;
                    assertThat((double) s.mean()[ch]).isCloseTo(m, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(m) + 1e-7));
                    assertThat((double) s.variance()[ch]).isCloseTo(v, org.assertj.core.data.Offset.offset(1e-6 * v));
                    assertThat((double) s.invStd()[ch]).isCloseTo(1 / Math.sqrt(v + EPS),
                            org.assertj.core.data.Offset.offset(1e-6 / Math.sqrt(v + EPS)));
                }
                float[][] y = new float[batch][c * hw];
                BatchNormTraining.normalizeChw(x, c, hw, s, gamma, beta, gelu, y);
                double err = maxAbsDiff(y, ref);

                // channel-last on the transposed data
                float[][] xt = transpose(x, c, hw);
                BatchNormTraining.Statistics st = BatchNormTraining.statisticsHwc(xt, hw, c, EPS);
                for (int ch = 0; ch < c; ch++) {
                    assertThat(st.mean()[ch]).isCloseTo(s.mean()[ch], org.assertj.core.data.Offset.offset(1e-6f));
                    assertThat(st.variance()[ch]).isCloseTo(s.variance()[ch],
                            org.assertj.core.data.Offset.offset(1e-6f * s.variance()[ch]));
                }
                float[][] yt = new float[batch][c * hw];
                BatchNormTraining.normalizeHwc(xt, hw, c, st, gamma, beta, gelu, yt);
                double errT = maxAbsDiff(transposeBack(yt, c, hw), ref);
                System.out.printf("KERNEL bn forward B=%d gelu=%-5s: chw max abs err %.2e, hwc %.2e%n", batch, gelu, err, errT);
                assertThat(err).isLessThan(1e-5);
                assertThat(errT).isLessThan(1e-5);
            }
        }
    }

    @Test
    void referenceBackwardMatchesFiniteDifferencesInDouble() {
        Random rnd = new Random(2);
        for (int batch : new int[]{1, 2}) {
            for (boolean gelu : new boolean[]{false, true}) {
                int c = 3;
                int hw = 12;
                double[][] x = toDouble(randBatch(rnd, batch, c * hw, 1f, 1f));
                double[] gamma = toDouble(rand(rnd, c));
                double[] beta = toDouble(rand(rnd, c));
                double[][] r = toDouble(randBatch(rnd, batch, c * hw, 0f, 1f));
                double[][] g = backwardRef(x, c, hw, gamma, beta, gelu, r);
                double h = 1e-6;
                double worst = 0;
                java.util.function.DoubleSupplier loss = () -> lossRef(x, c, hw, gamma, beta, gelu, r);
                for (int b = 0; b < batch; b++) {
                    for (int i = 0; i < c * hw; i++) {
                        worst = Math.max(worst, Math.abs(centralDifference(x[b], i, h, loss) - g[0][b * c * hw + i]));
                    }
                }
                for (int ch = 0; ch < c; ch++) {
                    worst = Math.max(worst, Math.abs(centralDifference(gamma, ch, h, loss) - g[1][ch]));
                    worst = Math.max(worst, Math.abs(centralDifference(beta, ch, h, loss) - g[2][ch]));
                }
                System.out.printf("KERNEL bn reference backward vs central differences B=%d gelu=%-5s: max abs err %.2e%n",
                        batch, gelu, worst);
                assertThat(worst).isLessThan(1e-6);
            }
        }
    }

    @Test
    void backwardMatchesReferenceAndDirectionalDerivativeInBothLayouts() {
        Random rnd = new Random(3);
        for (int batch : new int[]{1, 2}) {
            for (boolean gelu : new boolean[]{false, true}) {
                int c = 5;
                int hw = 49;
                float[][] x = randBatch(rnd, batch, c * hw, 0.5f, 2f);
                float[] gamma = rand(rnd, c);
                float[] beta = rand(rnd, c);
                float[][] dy = randBatch(rnd, batch, c * hw, 0f, 1f);
                double[][] ref = backwardRef(toDouble(x), c, hw, toDouble(gamma), toDouble(beta), gelu, toDouble(dy));

                BatchNormTraining.Statistics s = BatchNormTraining.statisticsChw(x, c, hw, EPS);
                float[][] dx = new float[batch][c * hw];
                float[] dGamma = new float[c];
                float[] dBeta = new float[c];
                BatchNormTraining.backwardChw(x, c, hw, s, gamma, beta, gelu, dy, dx, dGamma, dBeta);
                double errX = relErr(flatten(dx), ref[0]);
                double errG = relErr(dGamma, ref[1]);
                double errB = relErr(dBeta, ref[2]);

                float[][] xt = transpose(x, c, hw);
                float[][] dyt = transpose(dy, c, hw);
                BatchNormTraining.Statistics st = BatchNormTraining.statisticsHwc(xt, hw, c, EPS);
                float[][] dxt = new float[batch][c * hw];
                float[] dGammaT = new float[c];
                float[] dBetaT = new float[c];
                BatchNormTraining.backwardHwc(xt, hw, c, st, gamma, beta, gelu, dyt, dxt, dGammaT, dBetaT);
                double errXT = relErr(flatten(transposeBack(dxt, c, hw)), ref[0]);
                double errGT = relErr(dGammaT, ref[1]);
                double errBT = relErr(dBetaT, ref[2]);

                // directional derivative of loss sum(dy * y) along random (vx, vGamma, vBeta), by the double reference
                float[][] vx = randBatch(rnd, batch, c * hw, 0f, 1f);
                float[] vg = rand(rnd, c);
                float[] vb = rand(rnd, c);
                double analytic = dot(flatten(dx), flatten(vx)) + dot(dGamma, vg) + dot(dBeta, vb);
                double analyticT = dot(flatten(transposeBack(dxt, c, hw)), flatten(vx)) + dot(dGammaT, vg) + dot(dBetaT, vb);
                double h = 1e-5;
                double fd = (lossAlong(x, gamma, beta, vx, vg, vb, h, c, hw, gelu, dy)
                        - lossAlong(x, gamma, beta, vx, vg, vb, -h, c, hw, gelu, dy)) / (2 * h);
                double dirErr = Math.abs(analytic - fd) / Math.abs(fd);
                double dirErrT = Math.abs(analyticT - fd) / Math.abs(fd);
                System.out.printf("KERNEL bn backward B=%d gelu=%-5s: chw rel err dx %.2e dGamma %.2e dBeta %.2e, "
                                + "hwc %.2e %.2e %.2e; directional derivative rel err chw %.2e hwc %.2e (fd %.4f)%n",
                        batch, gelu, errX, errG, errB, errXT, errGT, errBT, dirErr, dirErrT, fd);
                assertThat(errX).isLessThan(1e-4);
                assertThat(errG).isLessThan(1e-4);
                assertThat(errB).isLessThan(1e-4);
                assertThat(errXT).isLessThan(1e-4);
                assertThat(errGT).isLessThan(1e-4);
                assertThat(errBT).isLessThan(1e-4);
                assertThat(dirErr).isLessThan(1e-3);
                assertThat(dirErrT).isLessThan(1e-3);
            }
        }
    }

    @Test
    void dxMayBeDyAndParameterGradientsAccumulate() {
        Random rnd = new Random(4);
        int batch = 2;
        int c = 5;
        int hw = 49;
        for (boolean chw : new boolean[]{true, false}) {
            float[][] x = randBatch(rnd, batch, c * hw, 0f, 1f);
            float[] gamma = rand(rnd, c);
            float[] beta = rand(rnd, c);
            float[][] dy = randBatch(rnd, batch, c * hw, 0f, 1f);
            BatchNormTraining.Statistics s = chw ? BatchNormTraining.statisticsChw(x, c, hw, EPS)
                    : BatchNormTraining.statisticsHwc(x, hw, c, EPS);
            float[][] dx = new float[batch][c * hw];
            float[] g0 = new float[c];
            float[] b0 = new float[c];
            run(chw, x, c, hw, s, gamma, beta, dy, dx, g0, b0);

            float[][] inPlace = {dy[0].clone(), dy[1].clone()};
            float[] g1 = rand(rnd, c);
            float[] b1 = rand(rnd, c);
            float[] g1Before = g1.clone();
            float[] b1Before = b1.clone();
            run(chw, x, c, hw, s, gamma, beta, inPlace, inPlace, g1, b1);
            for (int b = 0; b < batch; b++) {
                assertThat(inPlace[b]).as("dx in place of dy, chw " + chw).containsExactly(dx[b]);
            }
            for (int ch = 0; ch < c; ch++) {
                assertThat(g1[ch]).isEqualTo(g1Before[ch] + g0[ch]);
                assertThat(b1[ch]).isEqualTo(b1Before[ch] + b0[ch]);
            }
        }
    }

    @Test
    void resultsAreBitReproducibleOnLargerParallelMaps() {
        Random rnd = new Random(5);
        int batch = 2;
        int c = 24;
        int hw = 3001; // several pixel chunks, a ragged last one
        float[][] x = randBatch(rnd, batch, c * hw, 1f, 2f);
        float[] gamma = rand(rnd, c);
        float[] beta = rand(rnd, c);
        float[][] dy = randBatch(rnd, batch, c * hw, 0f, 1f);
        for (boolean chw : new boolean[]{true, false}) {
            float[][] first = null;
            for (int rep = 0; rep < 3; rep++) {
                BatchNormTraining.Statistics s = chw ? BatchNormTraining.statisticsChw(x, c, hw, EPS)
                        : BatchNormTraining.statisticsHwc(x, hw, c, EPS);
                float[][] y = new float[batch][c * hw];
                if (chw) {
                    BatchNormTraining.normalizeChw(x, c, hw, s, gamma, beta, true, y);
                } else {
                    BatchNormTraining.normalizeHwc(x, hw, c, s, gamma, beta, true, y);
                }
                float[][] dx = new float[batch][c * hw];
                float[] dg = new float[c];
                float[] db = new float[c];
                run(chw, x, c, hw, s, gamma, beta, dy, dx, dg, db);
                float[][] all = {s.mean(), s.variance(), s.invStd(), y[0], y[1], dx[0], dx[1], dg, db};
                if (first == null) {
                    first = all;
                } else {
                    for (int i = 0; i < all.length; i++) {
                        assertThat(Arrays.equals(all[i], first[i])).as("chw " + chw + " array " + i + " rep " + rep).isTrue();
                    }
                }
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} pixels, {1} channels, gelu {2}")
    @org.junit.jupiter.params.provider.CsvSource({"1300, 32, true", "700, 48, false", "37, 5, true"})
    void offHeapPassesGiveTheHeapPassesBits(int pixels, int channels, boolean gelu) {
        java.util.Random rnd = new java.util.Random(pixels + 17L * channels);
        float[][] x = {KernelTestSupport.rand(rnd, pixels * channels), KernelTestSupport.rand(rnd, pixels * channels)};
        float[][] dy = {KernelTestSupport.rand(rnd, pixels * channels), KernelTestSupport.rand(rnd, pixels * channels)};
        float[] gamma = KernelTestSupport.rand(rnd, channels);
        float[] beta = KernelTestSupport.rand(rnd, channels);
        BatchNormTraining.Statistics s = BatchNormTraining.statisticsHwc(x, pixels, channels, EPS);
        float[][] y = {new float[pixels * channels], new float[pixels * channels]};
        BatchNormTraining.normalizeHwc(x, pixels, channels, s, gamma, beta, gelu, y);
        float[][] dx = {dy[0].clone(), dy[1].clone()};
        float[] dg = new float[channels];
        float[] db = new float[channels];
        BatchNormTraining.backwardHwc(x, pixels, channels, s, gamma, beta, gelu, dx, dx, dg, db);

        float[][] g = {dy[0].clone(), dy[1].clone()};
        float[] dg2 = new float[channels];
        float[] db2 = new float[channels];
        BatchNormTraining.InputGradient k = BatchNormTraining.backwardHwcSums(x, pixels, channels, s, gamma, beta,
                gelu, g, g, dg2, db2);
        assertThat(dg2).isEqualTo(dg);
        assertThat(db2).isEqualTo(db);
        for (int i = 0; i < 2; i++) {
            NativeFloats out = KernelTestSupport.poisoned(pixels * channels + 3);
            BatchNormTraining.normalizeHwc(x[i], pixels, channels, s, gamma, beta, gelu, out);
            assertThat(KernelTestSupport.read(out, pixels * channels)).as("output %d off-heap", i).isEqualTo(y[i]);
            NativeFloats grad = KernelTestSupport.poisoned(pixels * channels + 3);
            k.image(x[i], g[i], pixels, grad);
            assertThat(KernelTestSupport.read(grad, pixels * channels)).as("dLoss/dx %d off-heap", i)
                    .isEqualTo(dx[i]);
        }
        assertThatThrownBy(() -> BatchNormTraining.normalizeHwc(x[0], pixels + 1, channels, s, gamma, beta, gelu,
                new NativeFloats().ensure((long) (pixels + 1) * channels)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("statistics count");
    }

    @Test
    void badInputIsRejectedWithItsName() {
        float[][] x = {new float[10]};
        assertThatThrownBy(() -> BatchNormTraining.statisticsChw(x, 3, 4, EPS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[0]");
        BatchNormTraining.Statistics s = BatchNormTraining.statisticsChw(x, 2, 5, EPS);
        float[][] two = {new float[10], new float[10]};
        assertThatThrownBy(() -> BatchNormTraining.normalizeChw(two, 2, 5, s, new float[2], new float[2], false,
                new float[][]{new float[10], new float[10]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another batch");
        assertThatThrownBy(() -> BatchNormTraining.normalizeChw(x, 2, 5, s, new float[2], new float[2], false, x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y[0] is x[0]");
    }

    private static void run(boolean chw, float[][] x, int c, int hw, BatchNormTraining.Statistics s, float[] gamma,
                            float[] beta, float[][] dy, float[][] dx, float[] dg, float[] db) {
        if (chw) {
            BatchNormTraining.backwardChw(x, c, hw, s, gamma, beta, true, dy, dx, dg, db);
        } else {
            BatchNormTraining.backwardHwc(x, hw, c, s, gamma, beta, true, dy, dx, dg, db);
        }
    }

    private static double lossAlong(float[][] x, float[] gamma, float[] beta, float[][] vx, float[] vg, float[] vb,
                                    double h, int c, int hw, boolean gelu, float[][] r) {
        double[][] xs = new double[x.length][];
        for (int b = 0; b < x.length; b++) {
            xs[b] = new double[x[b].length];
            for (int i = 0; i < x[b].length; i++) {
                xs[b][i] = x[b][i] + h * vx[b][i];
            }
        }
        double[] g = new double[c];
        double[] be = new double[c];
        for (int ch = 0; ch < c; ch++) {
            g[ch] = gamma[ch] + h * vg[ch];
            be[ch] = beta[ch] + h * vb[ch];
        }
        return lossRef(xs, c, hw, g, be, gelu, toDouble(r));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static float[][] transpose(float[][] x, int c, int hw) {
        float[][] t = new float[x.length][c * hw];
        for (int b = 0; b < x.length; b++) {
            Transpose.apply(x[b], c, hw, t[b]);
        }
        return t;
    }

    static float[][] transposeBack(float[][] x, int c, int hw) {
        float[][] t = new float[x.length][c * hw];
        for (int b = 0; b < x.length; b++) {
            Transpose.apply(x[b], hw, c, t[b]);
        }
        return t;
    }

    static float[][] randBatch(Random r, int batch, int n, float mean, float std) {
        float[][] x = new float[batch][n];
        for (float[] xb : x) {
            for (int i = 0; i < n; i++) {
                xb[i] = mean + std * (float) r.nextGaussian();
            }
        }
        return x;
    }

    static float[] flatten(float[][] a) {
        int n = 0;
        for (float[] r : a) {
            n += r.length;
        }
        float[] f = new float[n];
        int o = 0;
        for (float[] r : a) {
            System.arraycopy(r, 0, f, o, r.length);
            o += r.length;
        }
        return f;
    }

    static double maxAbsDiff(float[][] a, double[][] ref) {
        double e = 0;
        for (int b = 0; b < a.length; b++) {
            for (int i = 0; i < a[b].length; i++) {
                e = Math.max(e, Math.abs(a[b][i] - ref[b][i]));
            }
        }
        return e;
    }
}

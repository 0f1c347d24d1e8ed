package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The generic kernels against double-precision references. */
class KernelsTest {

    /** erf in double: Taylor series for |x| < 3, continued fraction of erfc beyond (both far below 1e-12 here). */
    static double erfRef(double x) {
        double t = Math.abs(x);
        double r;
        if (t < 3) {
            double term = t;
            double sum = t;
            for (int n = 1; n < 200; n++) {
                term *= -t * t / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-18) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double k = t;
            for (int n = 80; n >= 1; n--) {
                k = t + (n / 2.0) / k;
            }
            r = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / k;
        }
        return Math.copySign(r, x);
    }

    static double geluRef(double x) {
        return 0.5 * x * (1 + erfRef(x / Math.sqrt(2)));
    }

    @Test
    void referenceErfIsRight() {
        assertThat(erfRef(0.5)).isCloseTo(0.5204998778130465, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(erfRef(3.5)).isCloseTo(0.9999992569016276, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(erfRef(-1.0)).isCloseTo(-0.8427007929497149, org.assertj.core.data.Offset.offset(1e-14));
    }

    @Test
    void erfAndGeluWithin1e6() {
        double maxErf = 0;
        double maxGelu = 0;
        double maxGeluArr = 0;
        int n = 400_001;
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -20f + 40f * i / (n - 1);
        }
        float[] ys = xs.clone();
        Gelu.applyParallel(ys, n);
        for (int i = 0; i < n; i++) {
            float x = xs[i];
            maxErf = Math.max(maxErf, Math.abs(Gelu.erf(x) - erfRef(x)));
            maxGelu = Math.max(maxGelu, Math.abs(Gelu.gelu(x) - geluRef(x)));
            maxGeluArr = Math.max(maxGeluArr, Math.abs(ys[i] - geluRef(x)));
        }
        System.out.printf("KERNEL erf max abs err %.3e, gelu max abs err %.3e (array path %.3e) on [-20, 20]%n",
                maxErf, maxGelu, maxGeluArr);
        assertThat(maxErf).isLessThanOrEqualTo(1e-6);
        assertThat(maxGelu).isLessThanOrEqualTo(1e-6);
        assertThat(maxGeluArr).isLessThanOrEqualTo(1e-6);
        assertThat(Gelu.gelu(0f)).isEqualTo(0f);
        float[] b = {1f, -2f};
        Gelu.applyBias(b, 0, 2, 0.5f);
        assertThat((double) b[0]).isCloseTo(geluRef(1.5), org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) b[1]).isCloseTo(geluRef(-1.5), org.assertj.core.data.Offset.offset(1e-6));
    }

    /**
     * GELU's {@code 1 - p^-16} cancels near 0, where erf is small; GELU multiplies erf by |x|, so its relative
     * error must stay small there (the accurate erf form would give about 1e-7).
     */
    @Test
    void geluRelativeErrorNearZero() {
        double worst = 0;
        float[] xs = new float[20_001];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (i - 10_000) * 1e-7f * (1 + i % 7);
        }
        float[] ys = xs.clone();
        Gelu.apply(ys, 0, ys.length);
        for (int i = 0; i < xs.length; i++) {
            double ref = geluRef(xs[i]);
            if (ref != 0) {
                worst = Math.max(worst, Math.abs(ys[i] - ref) / Math.abs(ref));
            } else {
                assertThat(ys[i]).isEqualTo(0f);
            }
        }
        System.out.printf("KERNEL gelu max relative error %.3e for |x| <= 7e-3%n", worst);
        assertThat(worst).isLessThanOrEqualTo(2e-6);
    }

    @Test
    void fastExpRelativeError() {
        double maxRel = 0;
        for (int i = 0; i <= 200_000; i++) {
            float x = -80f + 160f * i / 200_000;
            double ref = Math.exp(x);
            maxRel = Math.max(maxRel, Math.abs(FastExp.exp(x) - ref) / ref);
        }
        double maxRelNeg = 0;
        for (int i = 0; i <= 200_000; i++) {
            float x = -87f * i / 200_000;
            double ref = Math.exp(x);
            maxRelNeg = Math.max(maxRelNeg, Math.abs(FastExp.expNonPositive(x) - ref) / ref);
        }
        assertThat(FastExp.expNonPositive(-1000f)).isBetween(0f, 1e-37f);
        assertThat(FastExp.expNonPositive(0f)).isEqualTo(1f);
        System.out.printf("KERNEL fast exp max rel err %.3e on [-80, 80]; non-positive exp %.3e on [-87, 0]%n", maxRel, maxRelNeg);
        assertThat(maxRelNeg).isLessThan(1e-6);
        assertThat(maxRel).isLessThan(1e-6);
        assertThat(FastExp.exp(-1000f)).isBetween(0f, 1e-37f);
    }

    @Test
    void softmaxRows() {
        Random r = new Random(1);
        int rows = 37;
        int n = 196;
        float[] x = new float[rows * n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
        }
        float[] y = x.clone();
        Softmax.rowsParallel(y, 3, rows, n);
        double maxErr = 0;
        for (int row = 0; row < rows; row++) {
            int o = 3 + row * n;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, x[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(x[o + j] - max);
            }
            for (int j = 0; j < n; j++) {
                maxErr = Math.max(maxErr, Math.abs(y[o + j] - Math.exp(x[o + j] - max) / sum));
            }
        }
        System.out.printf("KERNEL softmax max abs err %.3e%n", maxErr);
        assertThat(maxErr).isLessThan(1e-6);
        assertThat(y[0]).isEqualTo(x[0]);
    }

    @Test
    void layerNormRowsAndChannels() {
        Random r = new Random(2);
        int rows = 300;
        int dim = 160;
        float[] x = new float[rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3 + 1);
        }
        float[] w = new float[dim];
        float[] b = new float[dim];
        for (int i = 0; i < dim; i++) {
            w[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
        }
        float[] y = new float[x.length];
        LayerNorm.rows(x, 0, y, 0, rows, dim, w, b, 1e-5f);
        double errRows = 0;
        for (int row = 0; row < rows; row++) {
            double mean = 0;
            for (int i = 0; i < dim; i++) {
                mean += x[row * dim + i];
            }
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                var += Math.pow(x[row * dim + i] - mean, 2);
            }
            var /= dim;
            for (int i = 0; i < dim; i++) {
                double ref = (x[row * dim + i] - mean) / Math.sqrt(var + 1e-5) * w[i] + b[i];
                errRows = Math.max(errRows, Math.abs(y[row * dim + i] - ref));
            }
        }
        // channel-first: treat x as [C=dim, HW=rows] transposed from the row layout, compare to the rows result
        float[] xc = new float[x.length];
        for (int p = 0; p < rows; p++) {
            for (int c = 0; c < dim; c++) {
                xc[c * rows + p] = x[p * dim + c];
            }
        }
        LayerNorm.channels(xc, 0, xc, 0, dim, rows, w, b, 1e-5f);
        double errCh = 0;
        for (int p = 0; p < rows; p++) {
            for (int c = 0; c < dim; c++) {
                errCh = Math.max(errCh, Math.abs(xc[c * rows + p] - y[p * dim + c]));
            }
        }
        System.out.printf("KERNEL layer norm rows max abs err %.3e, channel-first vs rows %.3e%n", errRows, errCh);
        assertThat(errRows).isLessThan(1e-5);
        assertThat(errCh).isLessThan(1e-5);
    }
}

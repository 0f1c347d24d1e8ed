package org.umedsam.model.cpu;

import static org.umedsam.model.cpu.KernelTestSupport.relErr;
import static org.umedsam.model.cpu.KernelTestSupport.toDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WindowAttentionGradient} against a plain double-precision reference of TinyViT window attention
 * (zero-padding to whole windows, padded keys as the one pad row, padded queries cropped, pair bias
 * {@code attention_biases[h, |dy|*ws + |dx|]}), whose backward is itself checked by central differences; and
 * a directional-derivative check of the float gradient that does not use any backward formula.
 */
class WindowAttentionGradientTest {

    /** One problem: sizes, inputs and an upstream gradient. */
    record Case(int side, int ws, int heads, int d, float[] qkv, float[] biases, float[] dOut) {

        static Case random(int side, int ws, int heads, int d, long seed) {
            Random rnd = new Random(seed);
            int dim = heads * d;
            float[] qkv = new float[(side * side + 1) * 3 * dim];
            for (int i = 0; i < qkv.length; i++) {
                qkv[i] = (float) rnd.nextGaussian();
            }
            float[] biases = new float[heads * ws * ws];
            for (int i = 0; i < biases.length; i++) {
                biases[i] = (float) rnd.nextGaussian();
            }
            float[] dOut = new float[side * side * dim];
            for (int i = 0; i < dOut.length; i++) {
                dOut[i] = (float) rnd.nextGaussian();
            }
            return new Case(side, ws, heads, d, qkv, biases, dOut);
        }

        int dim() {
            return heads * d;
        }
    }

    // ---- double reference -------------------------------------------------------------------------------

    /** Row of the token at window position i of window (wy, wx), or the pad row side*side. */
    private static int tokenRow(int side, int ws, int wy, int wx, int i) {
        int y = wy * ws + i / ws;
        int x = wx * ws + i % ws;
        return y < side && x < side ? y * side + x : side * side;
    }

    private static boolean isReal(int side, int ws, int wy, int wx, int i) {
        return wy * ws + i / ws < side && wx * ws + i % ws < side;
    }

    private static int biasIndex(int ws, int i, int j) {
        return Math.abs(i / ws - j / ws) * ws + Math.abs(i % ws - j % ws);
    }

    /** softmax over keys of query i of window (wy, wx), head h. */
    private static double[] probabilities(double[] qkv, double[] biases, int side, int ws, int heads, int d,
                                          int wy, int wx, int h, int i) {
        int n = ws * ws;
        int row = 3 * heads * d;
        double scale = 1 / Math.sqrt(d);
        int qo = tokenRow(side, ws, wy, wx, i) * row + h * 3 * d;
        double[] p = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            int ko = tokenRow(side, ws, wy, wx, j) * row + h * 3 * d + d;
            double dotQk = 0;
            for (int c = 0; c < d; c++) {
                dotQk += qkv[qo + c] * qkv[ko + c];
            }
            p[j] = scale * dotQk + biases[h * n + biasIndex(ws, i, j)];
            max = Math.max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            p[j] = Math.exp(p[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < n; j++) {
            p[j] /= sum;
        }
        return p;
    }

    /** {@code [side*side, heads*d]}. */
    static double[] forwardRef(double[] qkv, double[] biases, int side, int ws, int heads, int d) {
        int n = ws * ws;
        int dim = heads * d;
        int row = 3 * dim;
        int nw = (side + ws - 1) / ws;
        double[] out = new double[side * side * dim];
        for (int wy = 0; wy < nw; wy++) {
            for (int wx = 0; wx < nw; wx++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < n; i++) {
                        if (!isReal(side, ws, wy, wx, i)) {
                            continue;
                        }
                        double[] p = probabilities(qkv, biases, side, ws, heads, d, wy, wx, h, i);
                        int o = tokenRow(side, ws, wy, wx, i) * dim + h * d;
                        for (int j = 0; j < n; j++) {
                            int vo = tokenRow(side, ws, wy, wx, j) * row + h * 3 * d + 2 * d;
                            for (int c = 0; c < d; c++) {
                                out[o + c] += p[j] * qkv[vo + c];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** {dqkv [side*side+1, 3*heads*d], dbiases [heads, ws*ws]}. */
    static double[][] backwardRef(double[] qkv, double[] biases, double[] dOut, int side, int ws, int heads, int d) {
        int n = ws * ws;
        int dim = heads * d;
        int row = 3 * dim;
        double scale = 1 / Math.sqrt(d);
        int nw = (side + ws - 1) / ws;
        double[] dQkv = new double[qkv.length];
        double[] dB = new double[heads * n];
        for (int wy = 0; wy < nw; wy++) {
            for (int wx = 0; wx < nw; wx++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < n; i++) {
                        if (!isReal(side, ws, wy, wx, i)) {
                            continue;
                        }
                        double[] p = probabilities(qkv, biases, side, ws, heads, d, wy, wx, h, i);
                        int qo = tokenRow(side, ws, wy, wx, i) * row + h * 3 * d;
                        int go = tokenRow(side, ws, wy, wx, i) * dim + h * d;
                        double[] dp = new double[n];
                        double rowDot = 0;
                        for (int j = 0; j < n; j++) {
                            int vo = tokenRow(side, ws, wy, wx, j) * row + h * 3 * d + 2 * d;
                            for (int c = 0; c < d; c++) {
                                dp[j] += dOut[go + c] * qkv[vo + c];
                                dQkv[vo + c] += p[j] * dOut[go + c];
                            }
                            rowDot += p[j] * dp[j];
                        }
                        for (int j = 0; j < n; j++) {
                            double ds = p[j] * (dp[j] - rowDot);
                            dB[h * n + biasIndex(ws, i, j)] += ds;
                            int ko = tokenRow(side, ws, wy, wx, j) * row + h * 3 * d + d;
                            for (int c = 0; c < d; c++) {
                                dQkv[qo + c] += scale * ds * qkv[ko + c];
                                dQkv[ko + c] += scale * ds * qkv[qo + c];
                            }
                        }
                    }
                }
            }
        }
        return new double[][]{dQkv, dB};
    }

    /** {@code sum(out * dOut)} with the reference forward. */
    static double objective(double[] qkv, double[] biases, double[] dOut, int side, int ws, int heads, int d) {
        double[] out = forwardRef(qkv, biases, side, ws, heads, d);
        double f = 0;
        for (int i = 0; i < out.length; i++) {
            f += out[i] * dOut[i];
        }
        return f;
    }

    private static float[] javaBackward(Case k, float[] dBiases) {
        float[] dQkv = new float[k.qkv().length];
        Arrays.fill(dQkv, Float.NaN); // must be overwritten everywhere
        new WindowAttentionGradient(k.heads(), k.d(), k.ws(), k.biases())
                .backward(k.qkv(), k.side(), k.dOut(), dQkv, dBiases);
        return dQkv;
    }

    // ---- tests ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 4", "14, 7, 1, 8", "10, 7, 1, 8", "10, 7, 3, 6", "8, 14, 3, 5", "8, 14, 1, 7",
            "9, 3, 2, 4"})
    void referenceForwardMatchesTheKernel(int side, int ws, int heads, int d) {
        Case k = Case.random(side, ws, heads, d, 11L * side + ws + heads + d);
        float[] out = new float[side * side * k.dim()];
        new WindowAttentionKernel(heads, d, ws, k.biases()).apply(k.qkv(), side, out);
        double[] ref = forwardRef(toDouble(k.qkv()), toDouble(k.biases()), side, ws, heads, d);
        assertThat(relErr(out, ref)).isLessThan(1e-5);
    }

    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 4", "10, 7, 1, 8", "8, 14, 3, 5", "5, 3, 2, 3"})
    void referenceBackwardMatchesCentralDifferences(int side, int ws, int heads, int d) {
        Case k = Case.random(side, ws, heads, d, 7L * side + ws + heads + d);
        double[] qkv = toDouble(k.qkv());
        double[] b = toDouble(k.biases());
        double[] g = toDouble(k.dOut());
        double[][] grad = backwardRef(qkv, b, g, side, ws, heads, d);
        Random rnd = new Random(5);
        double h = 1e-5;
        int dim = k.dim();
        int padStart = side * side * 3 * dim;
        double worst = 0;
        for (int t = 0; t < 40; t++) {
            // every fourth probe on the pad row (its k, v collect every padded key position)
            int idx = t % 4 == 0 ? padStart + rnd.nextInt(3 * dim) : rnd.nextInt(qkv.length);
            double keep = qkv[idx];
            qkv[idx] = keep + h;
            double fp = objective(qkv, b, g, side, ws, heads, d);
            qkv[idx] = keep - h;
            double fm = objective(qkv, b, g, side, ws, heads, d);
            qkv[idx] = keep;
            double fd = (fp - fm) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - grad[0][idx]) / (1 + Math.abs(fd)));
        }
        for (int idx = 0; idx < b.length; idx++) {
            double keep = b[idx];
            b[idx] = keep + h;
            double fp = objective(qkv, b, g, side, ws, heads, d);
            b[idx] = keep - h;
            double fm = objective(qkv, b, g, side, ws, heads, d);
            b[idx] = keep;
            double fd = (fp - fm) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - grad[1][idx]) / (1 + Math.abs(fd)));
        }
        assertThat(worst).isLessThan(1e-7);
    }

    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 4", "14, 7, 1, 8", "10, 7, 1, 8", "10, 7, 3, 6", "8, 14, 3, 5", "8, 14, 1, 7",
            "9, 3, 2, 4", "21, 7, 2, 8"})
    void backwardMatchesReference(int side, int ws, int heads, int d) {
        Case k = Case.random(side, ws, heads, d, 3L * side + ws + heads + d);
        float[] dB = new float[heads * ws * ws];
        float[] dQkv = javaBackward(k, dB);
        double[][] ref = backwardRef(toDouble(k.qkv()), toDouble(k.biases()), toDouble(k.dOut()), side, ws, heads, d);
        assertThat(relErr(dQkv, ref[0])).isLessThan(1e-4);
        assertThat(relErr(dB, ref[1])).isLessThan(1e-4);
        // the padded token: no query gradient ever; no gradient at all when no window is padded
        int pad = side * side * 3 * k.dim();
        for (int h = 0; h < heads; h++) {
            for (int c = 0; c < d; c++) {
                assertThat(dQkv[pad + h * 3 * d + c]).isZero();
            }
        }
        if (side % ws == 0) {
            for (int c = 0; c < 3 * k.dim(); c++) {
                assertThat(dQkv[pad + c]).isZero();
            }
        } else {
            double padNorm = 0;
            for (int c = 0; c < 3 * k.dim(); c++) {
                padNorm += Math.abs(dQkv[pad + c]);
            }
            assertThat(padNorm).isPositive();
        }
    }

    /** The float gradient along a random direction against central differences of the double forward. */
    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 4", "10, 7, 1, 8", "8, 14, 3, 5"})
    void directionalDerivativeOfTheKernelGradient(int side, int ws, int heads, int d) {
        Case k = Case.random(side, ws, heads, d, 13L * side + ws + heads + d);
        float[] dB = new float[heads * ws * ws];
        float[] dQkv = javaBackward(k, dB);
        Random rnd = new Random(17);
        double[] u = new double[dQkv.length];
        double[] w = new double[dB.length];
        double predicted = 0;
        for (int i = 0; i < u.length; i++) {
            u[i] = rnd.nextGaussian();
            predicted += u[i] * dQkv[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
            predicted += w[i] * dB[i];
        }
        double[] qkv = toDouble(k.qkv());
        double[] b = toDouble(k.biases());
        double[] g = toDouble(k.dOut());
        double h = 1e-6;
        double[] qp = qkv.clone();
        double[] qm = qkv.clone();
        for (int i = 0; i < u.length; i++) {
            qp[i] += h * u[i];
            qm[i] -= h * u[i];
        }
        double[] bp = b.clone();
        double[] bm = b.clone();
        for (int i = 0; i < w.length; i++) {
            bp[i] += h * w[i];
            bm[i] -= h * w[i];
        }
        double fd = (objective(qp, bp, g, side, ws, heads, d) - objective(qm, bm, g, side, ws, heads, d)) / (2 * h);
        assertThat(Math.abs(predicted - fd) / Math.abs(fd)).isLessThan(1e-4);
    }

    @Test
    void bitReproducibleAndBiasGradientAccumulates() {
        Case k = Case.random(31, 7, 4, 8, 99L); // 25 windows x 4 heads, padded: many tasks share the pad row
        int nb = k.heads() * k.ws() * k.ws();
        float[] dB1 = new float[nb];
        float[] first = javaBackward(k, dB1);
        for (int rep = 0; rep < 5; rep++) {
            float[] dB = new float[nb];
            float[] again = javaBackward(k, dB);
            assertThat(Arrays.equals(first, again)).isTrue();
            assertThat(Arrays.equals(dB1, dB)).isTrue();
        }
        // += : starting from the first call's result, a second call adds (in float) the same again
        float[] acc = dB1.clone();
        WindowAttentionGradient grad = new WindowAttentionGradient(k.heads(), k.d(), k.ws(), k.biases());
        float[] dQkv = new float[k.qkv().length];
        grad.backward(k.qkv(), k.side(), k.dOut(), dQkv, acc);
        double[] twice = new double[nb];
        for (int i = 0; i < nb; i++) {
            twice[i] = 2.0 * dB1[i];
        }
        assertThat(relErr(acc, twice)).isLessThan(1e-6);
        assertThat(Arrays.equals(first, dQkv)).isTrue();
        // and accumulating from a given start is itself reproducible
        float[] acc2 = dB1.clone();
        grad.backward(k.qkv(), k.side(), k.dOut(), new float[k.qkv().length], acc2);
        assertThat(Arrays.equals(acc, acc2)).isTrue();
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> new WindowAttentionGradient(2, 4, 7, new float[49]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attention_biases");
        WindowAttentionGradient g = new WindowAttentionGradient(2, 4, 7, new float[98]);
        int side = 10;
        int dim = 8;
        float[] qkv = new float[(side * side + 1) * 3 * dim];
        assertThatThrownBy(() -> g.backward(qkv, side, new float[side * side * dim - 1], new float[qkv.length],
                new float[98])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dOut");
        assertThatThrownBy(() -> g.backward(new float[side * side * 3 * dim], side, new float[side * side * dim],
                new float[qkv.length], new float[98])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("qkv");
        assertThatThrownBy(() -> g.backward(qkv, side, new float[side * side * dim], new float[qkv.length],
                new float[97])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dBiases");
    }
}

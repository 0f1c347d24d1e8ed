package org.umedsam.model.cpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API products of the window attention give the plain loops' bits, value by value, for whole and edge
 * windows (fewer real queries than keys), head dims with and without a remainder of four, and key or query counts
 * with a remainder of four; the plain kernel's training path uses them when the Vector API is on.
 */
class VectorWindowRowsTest {

    @BeforeAll
    static void theVectorApiIsOn() {
        // the build passes --add-modules jdk.incubator.vector to every test JVM
        assertThat(VectorSupport.enabled()).as(VectorSupport.describe()).isTrue();
        assertThat(VectorWindowRows.supports()).isTrue();
        assertThat(WindowAttentionKernel.vectorRows()).isTrue();
    }

    @ParameterizedTest(name = "n {0}, nq {1}, d {2}")
    @CsvSource({"49, 49, 32", "49, 14, 32", "49, 1, 32", "196, 196, 32", "196, 41, 32", "9, 6, 7", "5, 5, 3",
            "1, 1, 1", "17, 16, 4", "50, 33, 13"})
    void keyRowsGiveDotRowsBitsForEveryKey(int n, int nq, int d) {
        Gathered g = Gathered.random(31L * n + nq + d, n, d, d, n);
        for (int j = 0; j < n; j++) {
            WindowAttentionKernel.dotRows(g.x(), g.tok()[j] + d, g.matrix(), d, g.plain()[j], nq);
        }
        VectorWindowRows.keyRows(g.x(), g.tok(), d, g.matrix(), d, g.vector(), n, nq);
        assertSameBits(g.plain(), g.vector(), n, nq);
    }

    @ParameterizedTest(name = "n {0}, nq {1}, d {2}")
    @CsvSource({"49, 49, 32", "49, 14, 32", "196, 196, 32", "196, 41, 32", "9, 6, 7", "5, 5, 3", "1, 1, 1",
            "50, 33, 13"})
    void mixRowsGiveThePlainBits(int n, int nq, int d) {
        Gathered g = Gathered.random(17L * n + nq + d, n, d, n, d);
        WindowAttentionKernel.mixRows(g.x(), g.tok(), 2 * d, g.matrix(), n, d, g.plain(), nq);
        VectorWindowRows.mixRows(g.x(), g.tok(), 2 * d, g.matrix(), n, d, g.vector(), nq);
        assertSameBits(g.plain(), g.vector(), d, nq);
    }

    @ParameterizedTest(name = "n {0}, nq {1}, d {2}")
    @CsvSource({"49, 49, 32", "49, 14, 32", "196, 196, 32", "196, 41, 32", "9, 6, 7", "5, 5, 3", "1, 1, 1",
            "50, 33, 13"})
    void keyColumnsGiveMixColumnsBitsOverTheKeyMajorCopies(int n, int nq, int d) {
        Random random = new Random(11L * n + nq + d);
        int np = WindowScratch.padded(n);
        int dp = WindowScratch.padded(d);
        float[][] cT = rows(random, n, np);
        float[][] w = rows(random, n, dp);
        // the plain path's layout: aT[c][r] = w[r][c], wR[r][k] = cT[k][r]
        float[][] aT = new float[d][np];
        float[][] wR = new float[n][np];
        for (int r = 0; r < nq; r++) {
            for (int c = 0; c < d; c++) {
                aT[c][r] = w[r][c];
            }
            for (int k = 0; k < n; k++) {
                wR[r][k] = cT[k][r];
            }
        }
        // both accumulate into what the outputs held
        float[][] vector = rows(random, n, dp);
        float[][] plainT = new float[d][np];
        for (int k = 0; k < n; k++) {
            for (int c = 0; c < d; c++) {
                plainT[c][k] = vector[k][c];
            }
        }
        WindowAttentionGradient.mixColumns(aT, wR, nq, d, n, plainT);
        VectorWindowRows.keyColumns(cT, w, nq, n, d, vector);
        for (int k = 0; k < n; k++) {
            for (int c = 0; c < d; c++) {
                assertThat(Float.floatToRawIntBits(vector[k][c])).as("key %d channel %d", k, c)
                        .isEqualTo(Float.floatToRawIntBits(plainT[c][k]));
            }
        }
    }

    @ParameterizedTest(name = "n {0}, nq {1}")
    @CsvSource({"49, 49", "49, 7", "196, 112", "5, 3", "1, 1"})
    void softmaxColumnsGiveThePlainBitsAlsoPastTheClamp(int n, int nq) {
        Random random = new Random(5L * n + nq);
        int np = WindowScratch.padded(n);
        float[][] scores = rows(random, n, np);
        for (float[] row : scores) {
            for (int r = 0; r < np; r++) {
                row[r] *= 40; // differences beyond exp's clamp at -87
            }
        }
        float[][] vector = copy(scores);
        float[] m = new float[np];
        float[] sum = new float[np];
        VectorWindowRows.softmaxColumns(vector, n, nq, m, sum);
        float[][] plain = copy(scores);
        float[] plainMax = plain[0].clone();
        for (int j = 1; j < n; j++) {
            for (int r = 0; r < nq; r++) {
                plainMax[r] = Math.max(plainMax[r], plain[j][r]);
            }
        }
        float[] plainSum = new float[np];
        for (int j = 0; j < n; j++) {
            FastExp.expNonPositiveVector(plain[j], plainMax, nq);
            for (int r = 0; r < nq; r++) {
                plainSum[r] += plain[j][r];
            }
        }
        assertSameBits(plain, vector, n, nq);
        assertSameBits(new float[][] {plainMax, plainSum}, new float[][] {m, sum}, 2, nq);
    }

    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 32", "19, 7, 2, 32", "30, 14, 2, 32", "9, 3, 2, 13", "1, 7, 1, 32"})
    void trainingForwardAndBackwardGiveThePlainKernelsBits(int side, int ws, int heads, int d) {
        WindowAttentionGradientTest.Case k = WindowAttentionGradientTest.Case.random(side, ws, heads, d,
                3L * side + ws + heads + d);
        float[] out = new float[side * side * heads * d];
        float[] dQkv = new float[k.qkv().length];
        float[] dBiases = new float[k.biases().length];
        new WindowAttentionKernel(heads, d, ws, k.biases()).apply(k.qkv(), side, out);
        new WindowAttentionGradient(heads, d, ws, k.biases()).backward(k.qkv(), side, k.dOut(), dQkv, dBiases);
        float[] plainOut = new float[out.length];
        float[] plainDQkv = new float[dQkv.length];
        float[] plainDBiases = new float[dBiases.length];
        PlainKernels.run(() -> {
            assertThat(WindowAttentionKernel.vectorRows()).isFalse();
            new WindowAttentionKernel(heads, d, ws, k.biases()).apply(k.qkv(), side, plainOut);
            new WindowAttentionGradient(heads, d, ws, k.biases())
                    .backward(k.qkv(), side, k.dOut(), plainDQkv, plainDBiases);
        });
        assertSameBits(new float[][] {plainOut, plainDQkv, plainDBiases}, new float[][] {out, dQkv, dBiases});
    }

    private static void assertSameBits(float[][] plain, float[][] vector) {
        for (int i = 0; i < plain.length; i++) {
            assertSameBits(new float[][] {plain[i]}, new float[][] {vector[i]}, 1, plain[i].length);
        }
    }

    private static void assertSameBits(float[][] plain, float[][] vector, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertThat(Float.floatToRawIntBits(vector[i][j])).as("[%d][%d]: %s against %s", i, j,
                        vector[i][j], plain[i][j]).isEqualTo(Float.floatToRawIntBits(plain[i][j]));
            }
        }
    }

    /**
     * The operands of a product over gathered tokens: qkv-like values {@code x} and token offsets {@code tok} for
     * {@code n} window positions of head dim {@code d}, the vector side {@code [matrixRows][padded n]}, and two equal
     * copies of the output rows {@code [outRows][padded n]}, one for each implementation.
     */
    private record Gathered(float[] x, int[] tok, float[][] matrix, float[][] plain, float[][] vector) {
        static Gathered random(long seed, int n, int d, int matrixRows, int outRows) {
            Random random = new Random(seed);
            int np = WindowScratch.padded(n);
            float[] x = values(random, n * 3 * d + 5);
            int[] tok = tokens(random, n, x.length - 3 * d);
            float[][] matrix = rows(random, matrixRows, np);
            float[][] start = rows(random, outRows, np);
            return new Gathered(x, tok, matrix, copy(start), copy(start));
        }
    }

    /** Values of mixed magnitudes, so that a different summation order would show in the low bits. */
    private static float[] values(Random random, int len) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
        }
        return v;
    }

    private static float[][] rows(Random random, int count, int len) {
        float[][] r = new float[count][];
        for (int i = 0; i < count; i++) {
            r[i] = values(random, len);
        }
        return r;
    }

    /** Token offsets as the gather makes them: any start in {@code [0, maxStart)}, repeats allowed (pad row). */
    private static int[] tokens(Random random, int n, int maxStart) {
        int[] tok = new int[n];
        for (int j = 0; j < n; j++) {
            tok[j] = random.nextInt(maxStart);
        }
        return tok;
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Training's bias gradients and LayerNorm backward with {@link VectorGradientRows} give the plain loops' bits: the
 * column sums, and LayerNorm's input, weight and bias gradients (its row sums run as sixteen partial sums on both
 * paths); and the plain LayerNorm backward agrees with a double-precision one.
 */
class VectorGradientRowsTest {

    @ParameterizedTest(name = "{0} rows of {1} vectors")
    @CsvSource({"1, 1", "37, 2", "700, 5", "4097, 10"})
    void columnSumsGiveThePlainBits(int rows, int vectors) {
        int cols = vectors * VectorSupport.lanes();
        float[] x = values(new Random(rows), rows * cols);
        float[] vector = new float[cols];
        vector[0] = 2f; // added into, not overwritten
        float[] plain = vector.clone();
        DecoderGradientKernels.columnSums(x, rows, cols, vector);
        PlainKernels.run(() -> DecoderGradientKernels.columnSums(x, rows, cols, plain));
        assertSameBits(plain, vector, "column sums");
    }

    @ParameterizedTest(name = "{0} rows of {1} values")
    @CsvSource({"1, 16", "37, 32", "700, 160", "4096, 320", "5, 48"})
    void layerNormBackwardGivesThePlainBits(int rows, int dim) {
        assertThat(VectorGradientRows.supportsLayerNorm(dim)).isTrue();
        assertThat(VectorGradientRows.supportsLayerNorm(dim + 8)).isFalse();
        Random random = new Random(rows * 7L + dim);
        float[] dy = values(random, rows * dim);
        float[] xhat = values(random, rows * dim);
        float[] w = values(random, dim);
        float[] inv = new float[rows];
        for (int r = 0; r < rows; r++) {
            inv[r] = 0.5f + random.nextFloat() * 4;
        }
        float[] vectorDx = dy.clone();
        GradientSums vectorSums = new GradientSums();
        DecoderGradientKernels.layerNormBackward(vectorDx, rows, dim, w, xhat, inv, "n", vectorSums);
        float[] plainDx = dy.clone();
        GradientSums plainSums = new GradientSums();
        PlainKernels.run(() -> DecoderGradientKernels.layerNormBackward(plainDx, rows, dim, w, xhat, inv, "n",
                plainSums));
        assertSameBits(plainSums.get("n.weight"), vectorSums.get("n.weight"), "weight gradient");
        assertSameBits(plainSums.get("n.bias"), vectorSums.get("n.bias"), "bias gradient");
        assertSameBits(plainDx, vectorDx, "input gradient");
    }

    @ParameterizedTest(name = "{0} rows of {1} values")
    @CsvSource({"3, 16", "4, 37", "2, 5"})
    void plainLayerNormBackwardAgreesWithDoublePrecision(int rows, int dim) {
        Random random = new Random(rows * 13L + dim);
        float[] dy = values(random, rows * dim);
        float[] xhat = values(random, rows * dim);
        float[] w = values(random, dim);
        float[] inv = {1.5f, 0.75f, 2f, 3f};
        float[] dx = dy.clone();
        PlainKernels.run(() -> DecoderGradientKernels.layerNormBackward(dx, rows, dim, w, xhat, inv, "n",
                new GradientSums()));
        for (int r = 0; r < rows; r++) {
            double sg = 0;
            double sgx = 0;
            for (int i = 0; i < dim; i++) {
                double gi = (double) dy[r * dim + i] * w[i];
                sg += gi;
                sgx += gi * xhat[r * dim + i];
            }
            for (int i = 0; i < dim; i++) {
                int k = r * dim + i;
                double expected = inv[r] * ((double) dy[k] * w[i] - sg / dim - xhat[k] * (sgx / dim));
                assertThat((double) dx[k]).as("row %d value %d", r, i).isCloseTo(expected, within(1e-5 * (1 + Math.abs(expected))));
            }
        }
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static void assertSameBits(float[] plain, float[] vector, String what) {
        assertThat(vector).hasSameSizeAs(plain);
        for (int i = 0; i < plain.length; i++) {
            assertThat(Float.floatToRawIntBits(vector[i])).as("%s, value %d: %s against %s", what, i, vector[i],
                    plain[i]).isEqualTo(Float.floatToRawIntBits(plain[i]));
        }
    }
}

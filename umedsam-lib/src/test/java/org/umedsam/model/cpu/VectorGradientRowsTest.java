package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Training's bias gradients and LayerNorm backward with {@link VectorGradientRows} against the plain loops: the
 * column sums and LayerNorm's weight and bias gradients bit for bit, its input gradient within float rounding of
 * the row sums' other order, and the same bits on a second run.
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

    @ParameterizedTest(name = "{0} rows of {1} vectors")
    @CsvSource({"1, 1", "37, 2", "700, 10", "4096, 20"})
    void layerNormBackwardAgreesWithThePlainLoop(int rows, int vectors) {
        int dim = vectors * VectorSupport.lanes();
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
        float[] againDx = dy.clone();
        DecoderGradientKernels.layerNormBackward(againDx, rows, dim, w, xhat, inv, "n", new GradientSums());
        float[] plainDx = dy.clone();
        GradientSums plainSums = new GradientSums();
        PlainKernels.run(() -> DecoderGradientKernels.layerNormBackward(plainDx, rows, dim, w, xhat, inv, "n",
                plainSums));
        assertSameBits(plainSums.get("n.weight"), vectorSums.get("n.weight"), "weight gradient");
        assertSameBits(plainSums.get("n.bias"), vectorSums.get("n.bias"), "bias gradient");
        assertSameBits(vectorDx, againDx, "a second run's input gradient");
        for (int i = 0; i < plainDx.length; i++) {
            // the row means of dy w and dy w xhat are summed in another order: an ulp or two of a sum of dim terms
            double scale = inv[i / dim] * (Math.abs(dy[i] * w[i % dim]) + 4 + Math.abs(xhat[i]) * 4);
            assertThat((double) vectorDx[i]).as("input gradient %d", i).isCloseTo(plainDx[i], within(2e-6 * scale));
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

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link VectorFewRowGemm}: every output is the chain of fused multiply-adds over the inputs in order, then the bias,
 * bit for bit, whatever the rows around it and the column's place (two-vector blocks, one-vector blocks, the scalar
 * tail); and {@link ResidentLinear} with it agrees with its sgemm path.
 */
class VectorFewRowGemmTest {

    /** The contract, one output at a time. */
    private static float chain(float[] x, int r, int in, float[] w, int out, int j, float[] bias) {
        float acc = 0f;
        for (int k = 0; k < in; k++) {
            acc = Math.fma(w[k * out + j], x[r * in + k], acc);
        }
        return acc + (bias == null ? 0f : bias[j]);
    }

    @ParameterizedTest(name = "{0} rows, {1} -> {2}, bias {3}")
    @CsvSource({
            "7, 256, 128, true",   // the decoder's token rows
            "56, 128, 256, false", // its head-spread rows
            "1, 300, 17, true",    // one row; columns in no whole vector
            "3, 40, 56, true",     // fewer rows than a group; a one-vector block and a tail after the pairs
            "5, 8, 72, false",     // a group and one more row
            "9, 33, 1, true",      // one column: the scalar tail only
    })
    void everyOutputIsTheFusedChainInOrder(int rows, int in, int out, boolean withBias) {
        Random rnd = new Random(rows * 131L + in * 17L + out);
        float[] x = KernelTestSupport.rand(rnd, rows * in);
        float[] w = KernelTestSupport.rand(rnd, in * out);
        float[] bias = withBias ? KernelTestSupport.rand(rnd, out) : null;
        float[] y = new float[rows * out + 3];
        Arrays.fill(y, Float.NaN);
        VectorFewRowGemm.multiply(x, rows, in, w, out, bias, y);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                assertThat(y[r * out + j]).as("y[%d][%d]", r, j).isEqualTo(chain(x, r, in, w, out, j, bias));
            }
        }
        assertThat(Arrays.copyOfRange(y, rows * out, y.length)).as("nothing written past the output")
                .containsOnly(Float.NaN);
    }

    @Test
    void aRowAloneGetsTheBitsItGetsAmongOthers() {
        Random rnd = new Random(3);
        int rows = 7;
        int in = 256;
        int out = 96;
        float[] x = KernelTestSupport.rand(rnd, rows * in);
        float[] w = KernelTestSupport.rand(rnd, in * out);
        float[] bias = KernelTestSupport.rand(rnd, out);
        float[] all = new float[rows * out];
        VectorFewRowGemm.multiply(x, rows, in, w, out, bias, all);
        for (int r = 0; r < rows; r++) {
            float[] alone = new float[out];
            VectorFewRowGemm.multiply(Arrays.copyOfRange(x, r * in, (r + 1) * in), 1, in, w, out, bias, alone);
            assertThat(alone).as("row %d", r).isEqualTo(Arrays.copyOfRange(all, r * out, (r + 1) * out));
        }
    }

    @ParameterizedTest(name = "{0} rows, {1} -> {2}")
    @CsvSource({"7, 256, 256", "56, 128, 256", "56, 256, 128", "7, 256, 2048"})
    void residentLinearAgreesWithItsSgemmPath(int rows, int in, int out) {
        Random rnd = new Random(rows + in + out);
        float[] weight = KernelTestSupport.rand(rnd, in * out); // PyTorch [out, in]
        float[] bias = KernelTestSupport.rand(rnd, out);
        float[] x = KernelTestSupport.rand(rnd, rows * in);
        Linear linear = new Linear(weight, bias, in, out);
        float[] vector = ResidentLinear.of(linear).apply(x, rows, false);
        float[] sgemm = PlainKernels.get(() -> ResidentLinear.of(linear)).apply(x, rows, false);
        for (int i = 0; i < vector.length; i++) {
            assertThat(vector[i]).as("value %d", i).isCloseTo(sgemm[i], within(2e-5f * (1 + Math.abs(sgemm[i]))));
        }
    }
}

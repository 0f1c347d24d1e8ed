package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ResidentLinear} with the plain kernels on both sides of {@link ResidentLinear#DIRECT_MAX} (OpenBLAS on the
 * calling thread in column blocks, or {@code Nd4j.gemm}), with the vector kernels on both sides of
 * {@link ResidentLinear#VECTOR_MAX} ({@link VectorFewRowGemm} or sgemm), and in both stored layouts (widening
 * layers keep {@code [out, in]}, narrowing ones {@code [in, out]}): the PyTorch {@code Linear}
 * {@code y = x weight^T + bias} to float rounding, against a double-precision reference; and the same bits when
 * threads share one layer (the column blocks must not share a position).
 */
class ResidentLinearTest {

    @ParameterizedTest(name = "{0} rows, {1} -> {2}")
    @CsvSource({
            "7, 128, 256",   // direct, one block (229 376 multiply-adds)
            "7, 256, 256",   // direct, two column blocks
            "56, 128, 256",  // direct, eight blocks (the decoder's head-spread token rows)
            "7, 256, 128",   // direct, narrowing: stored [in, out]
            "7, 256, 2048",  // Nd4j.gemm (3.7 M multiply-adds)
            "7, 2048, 256",  // Nd4j.gemm, narrowing
            "1, 300, 17",    // direct, columns not a multiple of anything
    })
    void matchesPyTorchLinear(int rows, int in, int out) throws Exception {
        Random rnd = new Random(rows * 31L + in * 7L + out);
        float[] weight = KernelTestSupport.rand(rnd, in * out); // PyTorch layout [out, in]
        float[] bias = KernelTestSupport.rand(rnd, out);
        float[] x = KernelTestSupport.rand(rnd, rows * in);
        // both kernel sets: with the vector module the products up to VECTOR_MAX run VectorFewRowGemm
        for (boolean plain : new boolean[]{false, true}) {
            Linear linear = new Linear(weight, bias, in, out);
            ResidentLinear layer = plain ? PlainKernels.get(() -> ResidentLinear.of(linear))
                    : ResidentLinear.of(linear);
            checkLayer(layer, x, rows, in, out, weight, bias);
        }
    }

    private static void checkLayer(ResidentLinear layer, float[] x, int rows, int in, int out, float[] weight,
                                   float[] bias) throws Exception {
        float[] y = layer.apply(x, rows, false);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double sum = bias[j];
                double scale = Math.abs(bias[j]);
                for (int i = 0; i < in; i++) {
                    sum += (double) x[r * in + i] * weight[j * in + i];
                    scale += Math.abs((double) x[r * in + i] * weight[j * in + i]);
                }
                assertThat((double) y[r * out + j]).as("y[%d][%d]", r, j).isCloseTo(sum,
                        org.assertj.core.data.Offset.offset(1e-6 * scale + 1e-6));
            }
        }

        // two threads on one layer, interleaving their calls: each gets the single-threaded bits
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?>[] runs = new Future<?>[2];
            for (int k = 0; k < 2; k++) {
                runs[k] = pool.submit(() -> {
                    for (int rep = 0; rep < 50; rep++) {
                        assertThat(layer.apply(x, rows, false)).isEqualTo(y);
                    }
                    return null;
                });
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Gemm}: the product against a double-precision reference, for every transpose combination and with
 * accumulation, on sizes whose staging copies are split over threads and sizes that are not; and
 * {@link Gemm#multiplyBiasActivation}, whose bias, residual and activation are applied while the result is copied
 * back, giving exactly the bits of the product followed by the separate passes it replaced.
 */
class GemmTest {

    @ParameterizedTest(name = "{0} x {1} x {2}, transA {3}, transB {4}, accumulate {5}")
    @CsvSource({
            "3, 5, 7, false, false, false",
            "300, 64, 256, false, true, false",   // staging of a and c split over threads
            "64, 300, 256, true, false, false",
            "256, 128, 300, true, true, true",
            "1, 1, 1, false, false, true",
            "16, 40, 16384, false, false, false", // wide: OpenBLAS directly
            "16, 40, 16384, true, false, true",
            "8, 24, 16400, true, true, true",
            "40, 16, 16384, false, true, false",
    })
    void productMatchesDoubleReference(int m, int k, int n, boolean transA, boolean transB, boolean accumulate) {
        assertThat(Gemm.wide(m, n)).as("which path this case takes").isEqualTo(n >= 16384);
        Random rnd = new Random(m * 31L + k * 7L + n);
        float[] a = KernelTestSupport.rand(rnd, 5 + m * k); // operands at an offset
        float[] b = KernelTestSupport.rand(rnd, 3 + k * n);
        float[] c = KernelTestSupport.rand(rnd, 2 + m * n);
        float[] before = c.clone();
        Gemm.multiply(a, 5, transA, m, k, b, 3, transB, n, c, 2, accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? before[2 + i * n + j] : 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[5 + p * m + i] : a[5 + i * k + p];
                    double bv = transB ? b[3 + j * k + p] : b[3 + p * n + j];
                    s += av * bv;
                }
                assertThat((double) c[2 + i * n + j]).as("c[%d, %d]", i, j).isCloseTo(s,
                        org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(k) + 1e-5 * Math.abs(s)));
            }
        }
        assertThat(c[0]).isEqualTo(before[0]);
        assertThat(c[1]).isEqualTo(before[1]);
    }

    @ParameterizedTest(name = "{0} x {1} x {2}, {3}, bias {4}, residual {5}")
    @CsvSource({
            "300, 64, 256, GELU, true, false",   // MBConv's expansion
            "300, 256, 64, GELU, true, true",    // MBConv's projection and skip
            "200, 160, 160, NONE, true, true",   // a TinyViT block's projection and skip
            "200, 160, 480, NONE, true, false",  // qkv
            "40, 32, 48, RELU, false, false",
            "5, 8, 3, GELU, false, true",
    })
    void epilogueGivesTheBitsOfSeparatePasses(int m, int k, int n, Activation act, boolean withBias,
                                              boolean withResidual) {
        Random rnd = new Random(m + 13L * k + 101L * n);
        float[] x = KernelTestSupport.rand(rnd, 4 + m * k);
        float[] w = KernelTestSupport.rand(rnd, n * k);
        float[] bias = withBias ? KernelTestSupport.rand(rnd, n) : null;
        float[] residual = withResidual ? KernelTestSupport.rand(rnd, 6 + m * n) : null;

        float[] expected = new float[m * n];
        Gemm.multiply(x, 4, m, k, w, 0, n, true, expected, 0);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = expected[i * n + j];
                if (bias != null) {
                    v += bias[j];
                }
                if (residual != null) {
                    v += residual[6 + i * n + j];
                }
                expected[i * n + j] = switch (act) {
                    case GELU -> Gelu.gelu(v);
                    case RELU -> Math.max(v, 0f);
                    case NONE -> v;
                };
            }
        }
        float[] y = new float[1 + m * n];
        y[0] = 42f;
        Gemm.multiplyBiasActivation(x, 4, m, k, w, n, bias, residual, 6, act, y, 1);
        assertThat(y[0]).as("value before the output").isEqualTo(42f);
        for (int i = 0; i < m * n; i++) {
            assertThat(y[1 + i]).as("y[%d]", i).isEqualTo(expected[i]);
        }
        if (residual != null) {
            // the output may be the residual itself
            float[] inPlace = residual.clone();
            Gemm.multiplyBiasActivation(x, 4, m, k, w, n, bias, inPlace, 6, act, inPlace, 6);
            for (int i = 0; i < m * n; i++) {
                assertThat(inPlace[6 + i]).as("in place y[%d]", i).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void rejectsOperandsTooShortAndAWrongBias() {
        float[] a = new float[6];
        assertThatThrownBy(() -> Gemm.multiply(a, 1, 2, 3, new float[6], 0, 2, true, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operand a");
        assertThatThrownBy(() -> Gemm.multiplyBiasActivation(a, 0, 2, 3, new float[6], 2, new float[3], null, 0,
                Activation.NONE, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias has 3 values");
        assertThatThrownBy(() -> Gemm.multiplyBiasActivation(a, 0, 2, 3, new float[6], 2, null, new float[3], 0,
                Activation.NONE, new float[4], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operand residual");
    }

}

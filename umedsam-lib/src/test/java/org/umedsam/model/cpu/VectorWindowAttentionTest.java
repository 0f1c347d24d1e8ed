package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API window attention against the double reference and the plain kernel, on whole and edge windows,
 * twice on one kernel; and which kernel inference picks.
 */
class VectorWindowAttentionTest {

    @Test
    void testJvmsRunTheVectorisedKernels() {
        // the build passes --add-modules jdk.incubator.vector to every test JVM, as run-main and the kernel do
        assertThat(VectorSupport.available()).as(VectorSupport.describe()).isTrue();
    }

    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 16", "10, 7, 2, 32", "19, 7, 2, 32", "28, 14, 1, 32", "8, 14, 3, 16", "30, 14, 2, 48",
            "9, 3, 2, 16", "1, 7, 1, 32"})
    void matchesTheReferenceAndThePlainKernelAlsoOnASecondCall(int side, int ws, int heads, int d) {
        WindowAttentionGradientTest.Case k = WindowAttentionGradientTest.Case.random(side, ws, heads, d,
                11L * side + ws + heads + d);
        float[] first = WindowAttentionKernelTest.checkedTwice(new VectorWindowAttention(heads, d, ws, k.biases()), k);
        float[] plain = new float[first.length];
        new WindowAttentionKernel(heads, d, ws, k.biases()).apply(k.qkv(), side, plain);
        for (int i = 0; i < plain.length; i++) {
            assertThat(first[i]).as("output %d", i).isCloseTo(plain[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void softmaxExponentialIsWithinThreeUlpOfMathExpDownToTheClamp() {
        int lanes = VectorSupport.lanes();
        int n = 4096 * lanes;
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = -87f * i / (n - 1); // the row maximum is s[0] = 0
        }
        float[] x = s.clone();
        double sum = VectorWindowAttention.expRow(s, 0, n, 1f, new float[n], 0);
        double exact = 0;
        double worstUlps = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x[i]);
            exact += e;
            worstUlps = Math.max(worstUlps, Math.abs(s[i] - e) / Math.ulp((float) e));
        }
        assertThat(worstUlps).isLessThanOrEqualTo(3.0);
        assertThat(sum).isCloseTo(exact, org.assertj.core.data.Offset.offset(exact * 1e-5));
        // scaled and biased first: pads are -inf by their bias
        float[] pads = new float[lanes];
        java.util.Arrays.fill(pads, 1.5f);
        float[] bias = new float[2 + lanes];
        java.util.Arrays.fill(bias, 3, 2 + lanes, Float.NEGATIVE_INFINITY);
        VectorWindowAttention.expRow(pads, 0, lanes, 2f, bias, 2);
        assertThat(pads[0]).isEqualTo(1f);
        for (int i = 1; i < lanes; i++) {
            assertThat(pads[i]).as("a -inf pad").isBetween(0f, 1e-37f);
        }
    }

    @Test
    void inferencePicksTheVectorKernelUnlessTurnedOff() {
        float[] biases = new float[2 * 49];
        assertThat(WindowAttentionForward.forInference(2, 32, 7, biases)).isInstanceOf(VectorWindowAttention.class);
        PlainKernels.run(() -> {
            assertThat(WindowAttentionForward.forInference(2, 32, 7, biases)).isInstanceOf(WindowAttentionKernel.class);
            assertThat(VectorSupport.describe()).startsWith("plain-Java kernels");
        });
        // a head dim that is not whole vectors falls back
        assertThat(WindowAttentionForward.forInference(2, VectorSupport.lanes() + 1, 7, new float[2 * 49]))
                .isInstanceOf(WindowAttentionKernel.class);
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.umedsam.model.cpu.KernelTestSupport.relErr;
import static org.umedsam.model.cpu.KernelTestSupport.toDouble;

/** The window attention forward against the double reference, run twice on one kernel; its vectorised exp. */
class WindowAttentionKernelTest {

    @ParameterizedTest(name = "side {0}, ws {1}, heads {2}, headDim {3}")
    @CsvSource({"14, 7, 3, 4", "14, 7, 1, 8", "10, 7, 1, 8", "10, 7, 3, 6", "8, 14, 3, 5", "8, 14, 1, 7",
            "9, 3, 2, 4", "19, 7, 2, 32", "28, 14, 1, 32"})
    void matchesTheReferenceAlsoOnASecondCall(int side, int ws, int heads, int d) {
        WindowAttentionGradientTest.Case k = WindowAttentionGradientTest.Case.random(side, ws, heads, d,
                7L * side + ws + heads + d);
        checkedTwice(new WindowAttentionKernel(heads, d, ws, k.biases()), k);
    }

    /**
     * Runs {@code attention} on case {@code k} twice: the first output within 1e-5 (relative) of the double
     * reference, the second the same bits (it reuses scratch rows holding the first call's values, and edge windows
     * have fewer queries). Returns the first.
     */
    static float[] checkedTwice(WindowAttentionForward attention, WindowAttentionGradientTest.Case k) {
        int side = k.side();
        float[] first = new float[side * side * k.dim()];
        attention.apply(k.qkv(), side, first);
        float[] second = new float[first.length];
        attention.apply(k.qkv(), side, second);
        double[] ref = WindowAttentionGradientTest.forwardRef(toDouble(k.qkv()), toDouble(k.biases()), side, k.ws(),
                k.heads(), k.d());
        assertThat(relErr(first, ref)).isLessThan(1e-5);
        assertThat(second).containsExactly(first);
        return first;
    }

    @Test
    void vectorisedExpWithinAbsolute2e7() {
        int n = 200_001;
        float[] x = new float[n];
        float[] shift = new float[n];
        for (int i = 0; i < n; i++) {
            shift[i] = (i % 7) - 3f;
            x[i] = shift[i] - 100f * i / (n - 1);
        }
        float[] y = x.clone();
        FastExp.expNonPositiveVector(y, shift, n);
        double maxAbs = 0;
        for (int i = 0; i < n; i++) {
            double ref = Math.exp((double) x[i] - shift[i]);
            maxAbs = Math.max(maxAbs, Math.abs(y[i] - ref));
            assertThat(y[i]).isGreaterThanOrEqualTo(0f);
        }
        assertThat(maxAbs).isLessThan(2e-7);
        float[] zero = {5f};
        FastExp.expNonPositiveVector(zero, new float[]{5f}, 1);
        assertThat(zero[0]).isEqualTo(1f);
        float[] far = {-1e30f};
        FastExp.expNonPositiveVector(far, new float[]{0f}, 1);
        assertThat(far[0]).isBetween(0f, 1e-30f);
    }
}

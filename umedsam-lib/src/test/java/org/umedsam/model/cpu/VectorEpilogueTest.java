package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The epilogue with the Vector API's rows gives the scalar passes' bits ({@code act((y + bias) + residual)}, in that
 * order) on every row of an off-heap product, to the heap or in place, whole vectors and the scalar rest alike.
 */
class VectorEpilogueTest {

    @ParameterizedTest(name = "[{0}, {1}], bias {2}, residual {3}, {4}")
    @CsvSource({"3, 64, true, true, GELU", "5, 40, true, false, GELU", "2, 7, false, true, NONE",
            "4, 33, true, true, RELU", "1, 1280, true, false, NONE", "6, 17, false, false, GELU"})
    void sameBitsAsTheScalarPasses(int m, int n, boolean withBias, boolean withResidual, Activation act) {
        Random random = new Random(31L * m + n);
        float[] product = KernelTestSupport.rand(random, m * n);
        float[] bias = withBias ? KernelTestSupport.rand(random, n) : null;
        int resOff = 3;
        float[] residual = withResidual ? KernelTestSupport.rand(random, resOff + m * n) : null;
        float[] expected = new float[m * n];
        float[] expectedInPlace = new float[m * n];
        for (int i = 0; i < m * n; i++) {
            float v = product[i];
            if (bias != null) {
                v += bias[i % n];
            }
            expectedInPlace[i] = activate(act, v);
            if (residual != null) {
                v += residual[resOff + i];
            }
            expected[i] = activate(act, v);
        }
        assertThat(VectorSupport.enabled()).as("the test JVM has the Vector API").isTrue();
        NativeFloats y = KernelTestSupport.poisoned(m * n);
        y.put(0, product, 0, m * n);
        int outOff = 5;
        float[] out = new float[outOff + m * n];
        Epilogue.toHeap(y, m, n, bias, residual, resOff, act, out, outOff);
        Epilogue.inPlace(y, m, n, bias, act);
        float[] inPlace = KernelTestSupport.read(y, m * n);
        for (int i = 0; i < m * n; i++) {
            assertThat(Float.floatToIntBits(out[outOff + i])).as("to the heap, value %d", i)
                    .isEqualTo(Float.floatToIntBits(expected[i]));
            assertThat(Float.floatToIntBits(inPlace[i])).as("in place, value %d", i)
                    .isEqualTo(Float.floatToIntBits(expectedInPlace[i]));
        }
    }

    /** Without bias or residual the vector rows add {@code -0f}, which leaves every value, {@code -0f} too, as it is. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"NONE", "RELU", "GELU"})
    void nothingToAddLeavesTheSignOfZero(Activation act) {
        int m = 2;
        int n = 96;
        float[] product = new float[m * n];
        float[] pattern = {-0f, 0f, 1.5f, -2f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE};
        for (int i = 0; i < product.length; i++) {
            product[i] = pattern[i % pattern.length];
        }
        NativeFloats y = KernelTestSupport.poisoned(m * n);
        y.put(0, product, 0, m * n);
        float[] out = new float[m * n];
        Epilogue.toHeap(y, m, n, null, null, 0, act, out, 0);
        Epilogue.inPlace(y, m, n, null, act);
        float[] inPlace = KernelTestSupport.read(y, m * n);
        for (int i = 0; i < m * n; i++) {
            int expected = Float.floatToIntBits(activate(act, product[i]));
            assertThat(Float.floatToIntBits(out[i])).as("to the heap, value %d", i).isEqualTo(expected);
            assertThat(Float.floatToIntBits(inPlace[i])).as("in place, value %d", i).isEqualTo(expected);
        }
    }

    private static float activate(Activation act, float v) {
        return act == Activation.GELU ? Gelu.gelu(v) : act == Activation.RELU ? Math.max(v, 0f) : v;
    }
}

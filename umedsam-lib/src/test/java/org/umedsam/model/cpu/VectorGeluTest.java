package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API GELU and its derivative give the scalar {@link Gelu#gelu}'s and {@link Gelu#derivative(float)}'s
 * bits, over the whole float range and on any tail.
 */
class VectorGeluTest {

    @ParameterizedTest(name = "{0} values")
    @ValueSource(ints = {1, 15, 16, 17, 255, 4099})
    void sameBitsAsTheScalarGeluWithAndWithoutBias(int len) {
        float[] x = values(len);
        for (float bias : new float[]{0f, 0.37f, -2.5f}) {
            float[] vector = x.clone();
            VectorGelu.applyBias(vector, 1, len, bias);
            for (int i = 0; i < x.length; i++) {
                float expected = i >= 1 && i <= len ? Gelu.gelu(x[i] + bias) : x[i];
                assertThat(Float.floatToIntBits(vector[i])).as("value %d (%s), bias %s", i, x[i], bias)
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @ParameterizedTest(name = "{0} values")
    @ValueSource(ints = {1, 15, 16, 17, 255, 4099})
    void derivativePassesGiveTheScalarDerivativesBits(int len) {
        float[] x = values(len);
        float[] expected = new float[len];
        for (int i = 0; i < len; i++) {
            expected[i] = Gelu.derivative(x[1 + i]);
        }
        float[] inPlace = x.clone();
        VectorGelu.derivative(inPlace, 1, inPlace, 1, len);
        assertBits(inPlace, 1, expected, "in place");
        assertThat(inPlace[0]).isEqualTo(x[0]);
        assertThat(inPlace[len + 1]).isEqualTo(x[len + 1]);

        float[] grad = new float[len];
        VectorGelu.derivative(x, 1, grad, 0, len);
        assertBits(grad, 0, expected, "into grad");

        float[] value = new float[len];
        float[] grad2 = new float[len];
        VectorGelu.valueAndDerivative(x, 1, len, value, grad2);
        assertBits(grad2, 0, expected, "with the value");
        for (int i = 0; i < len; i++) {
            assertThat(Float.floatToIntBits(value[i])).as("gelu %d", i).isEqualTo(Float.floatToIntBits(Gelu.gelu(x[1 + i])));
        }

        Random random = new Random(~len);
        float[] g = new float[len + 2];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) random.nextGaussian();
        }
        float[] product = g.clone();
        VectorGelu.multiplyByDerivative(x, 1, product, 2, len);
        float[] expectedProduct = new float[len];
        for (int i = 0; i < len; i++) {
            expectedProduct[i] = g[2 + i] * expected[i];
        }
        assertBits(product, 2, expectedProduct, "times g");
        assertThat(product[0]).isEqualTo(g[0]);
    }

    /** Finite values of every kind, {@code len + 3} of them, the first -0. */
    private static float[] values(int len) {
        Random random = new Random(len);
        float[] x = new float[len + 3];
        for (int i = 0; i < x.length; i++) {
            int kind = random.nextInt(5);
            x[i] = switch (kind) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> (float) (random.nextGaussian() * 30); // beyond the polynomial's range: p^16 overflows
                case 2 -> Float.intBitsToFloat(random.nextInt()) % 1e4f; // any magnitude, denormals included
                case 3 -> Float.intBitsToFloat(random.nextInt() & 0x7f7fffff) * (random.nextBoolean() ? 1 : -1); // past 1e3
                default -> (float) random.nextGaussian() * 1e-3f;
            };
        }
        x[0] = -0f;
        return x;
    }

    private static void assertBits(float[] actual, int off, float[] expected, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToIntBits(actual[off + i])).as("%s, value %d", what, i)
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }
}

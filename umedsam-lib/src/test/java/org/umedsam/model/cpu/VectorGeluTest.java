package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The Vector API GELU gives the scalar {@link Gelu#gelu}'s bits, over the whole float range and on any tail. */
class VectorGeluTest {

    @ParameterizedTest(name = "{0} values")
    @ValueSource(ints = {1, 15, 16, 17, 255, 4099})
    void sameBitsAsTheScalarGeluWithAndWithoutBias(int len) {
        Random random = new Random(len);
        float[] x = new float[len + 3];
        for (int i = 0; i < x.length; i++) {
            int kind = random.nextInt(4);
            x[i] = switch (kind) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> (float) (random.nextGaussian() * 30); // beyond the polynomial's range: p^16 overflows
                case 2 -> Float.intBitsToFloat(random.nextInt()) % 1e4f; // any magnitude, denormals included
                default -> (float) random.nextGaussian() * 1e-3f;
            };
        }
        x[0] = -0f;
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
}

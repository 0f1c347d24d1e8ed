package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DepthwiseConv3x3#hwc} with the Vector API ({@link VectorDepthwiseRows}) gives the plain loops' bits, value
 * by value: strides 1 and 2, odd and even sides (a padded last column or not), a one-pixel map, with and without
 * GELU, and inputs with zeros of both signs.
 */
class VectorDepthwiseRowsTest {

    @ParameterizedTest(name = "side {0}, channels {1}, stride {2}, gelu {3}")
    @CsvSource({"8, 32, 1, false", "7, 16, 1, true", "9, 48, 2, false", "8, 16, 2, true", "1, 16, 1, false",
            "2, 16, 2, false", "3, 16, 2, true", "33, 64, 1, true", "64, 256, 1, false", "17, 160, 2, true"})
    void sameBitsAsThePlainLoops(int side, int channels, int stride, boolean gelu) {
        assertThat(VectorSupport.enabled()).as(VectorSupport.describe()).isTrue();
        assertThat(VectorDepthwiseRows.supports(channels)).isTrue();
        Random random = new Random(13L * side + channels + stride);
        float[] x = new float[side * side * channels];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (random.nextInt(8)) {
                case 0 -> 0f;
                case 1 -> -0f;
                default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(4) - 2));
            };
        }
        float[] taps = new float[9 * channels];
        float[] bias = new float[channels];
        for (int i = 0; i < taps.length; i++) {
            taps[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = i % 5 == 0 ? -0f : (float) random.nextGaussian();
        }
        int out = DepthwiseConv3x3.outputSide(side, stride);
        float[] vector = new float[out * out * channels];
        DepthwiseConv3x3.hwc(x, vector, side, channels, stride, taps, bias, gelu);
        float[] plain = new float[vector.length];
        PlainKernels.run(() -> DepthwiseConv3x3.hwc(x, plain, side, channels, stride, taps, bias, gelu));
        for (int i = 0; i < plain.length; i++) {
            assertThat(Float.floatToRawIntBits(vector[i])).as("output %d: %s against %s", i, vector[i], plain[i])
                    .isEqualTo(Float.floatToRawIntBits(plain[i]));
        }
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DepthwiseConv3x3#hwc} and {@link DepthwiseConv3x3Gradient#hwc} with the Vector API
 * ({@link VectorDepthwiseRows}) give the plain loops' bits, value by value: strides 1 and 2, odd and even sides (a padded last column or not), a
 * one-pixel map, with and without GELU, and inputs with zeros of both signs.
 */
class VectorDepthwiseRowsTest {

    @ParameterizedTest(name = "side {0}, channels {1}, stride {2}, gelu {3}")
    @CsvSource({"8, 32, 1, false", "7, 16, 1, true", "9, 48, 2, false", "8, 16, 2, true", "1, 16, 1, false",
            "2, 16, 2, false", "3, 16, 2, true", "33, 64, 1, true", "64, 256, 1, false", "17, 160, 2, true"})
    void sameBitsAsThePlainLoops(int side, int channels, int stride, boolean gelu) {
        assertThat(VectorSupport.enabled()).as(VectorSupport.describe()).isTrue();
        assertThat(VectorDepthwiseRows.supports(channels)).isTrue();
        Random random = new Random(13L * side + channels + stride);
        float[] x = signedValues(random, side * side * channels);
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
        assertSameBits(plain, vector);
    }

    @ParameterizedTest(name = "side {0}, channels {1}, stride {2}")
    @CsvSource({"8, 32, 1", "7, 16, 1", "9, 48, 2", "8, 16, 2", "1, 16, 1", "2, 16, 2", "3, 16, 2", "40, 64, 1",
            "35, 160, 2"})
    void backwardGivesThePlainLoopsBits(int side, int channels, int stride) {
        Random random = new Random(29L * side + channels + stride);
        int out = DepthwiseConv3x3.outputSide(side, stride);
        float[] x = signedValues(random, side * side * channels);
        float[] dy = signedValues(random, out * out * channels);
        float[] weight = signedValues(random, channels * 9);
        float[] start = signedValues(random, channels * 9);
        float[] dx = new float[x.length];
        float[] dWeight = start.clone();
        DepthwiseConv3x3Gradient.hwc(x, dy, side, channels, stride, weight, dx, dWeight);
        float[] plainDx = new float[x.length];
        float[] plainDWeight = start.clone();
        PlainKernels.run(() -> DepthwiseConv3x3Gradient.hwc(x, dy, side, channels, stride, weight, plainDx,
                plainDWeight));
        assertSameBits(plainDx, dx);
        assertSameBits(plainDWeight, dWeight);
    }

    /** Gaussian values of mixed magnitudes, a quarter of them zeros of either sign. */
    private static float[] signedValues(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (random.nextInt(8)) {
                case 0 -> 0f;
                case 1 -> -0f;
                default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(4) - 2));
            };
        }
        return v;
    }

    private static void assertSameBits(float[] plain, float[] vector) {
        for (int i = 0; i < plain.length; i++) {
            assertThat(Float.floatToRawIntBits(vector[i])).as("value %d: %s against %s", i, vector[i], plain[i])
                    .isEqualTo(Float.floatToRawIntBits(plain[i]));
        }
    }
}

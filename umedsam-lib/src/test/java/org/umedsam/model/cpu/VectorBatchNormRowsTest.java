package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BatchNorm's channel-last passes give the same bits with {@link VectorBatchNormRows} as with the plain loops:
 * statistics, the normalised map (with and without GELU), the input gradient (also written over dy) and the
 * gamma and beta gradients.
 */
class VectorBatchNormRowsTest {

    /** Everything one forward and backward produce. */
    private record Pass(float[] mean, float[] variance, float[] invStd, float[][] y, float[][] dx, float[] dGamma,
                        float[] dBeta) {
    }

    @ParameterizedTest(name = "{0} pixels, {1} vectors of channels, gelu {2}, dx over dy {3}")
    @CsvSource({"700, 2, true, false", "700, 2, false, false", "513, 3, true, true", "64, 1, false, true",
            "1, 2, true, false"})
    void sameBitsAsThePlainLoops(int pixels, int vectors, boolean gelu, boolean inPlace) {
        int channels = vectors * VectorSupport.lanes();
        assertThat(VectorBatchNormRows.supports(channels)).isTrue();
        assertThat(VectorBatchNormRows.supports(channels + 1)).isFalse();
        Random random = new Random(pixels * 31L + channels);
        float[][] x = {values(random, pixels * channels, 3f), values(random, pixels * channels, 0.5f)};
        float[][] dy = {values(random, pixels * channels, 1f), values(random, pixels * channels, 1f)};
        float[] gamma = values(random, channels, 1f);
        float[] beta = values(random, channels, 1f);
        Pass vector = pass(x, dy, pixels, channels, gamma, beta, gelu, inPlace);
        Pass plain = PlainKernels.get(() -> pass(x, dy, pixels, channels, gamma, beta, gelu, inPlace));
        assertSameBits(plain.mean(), vector.mean(), "mean");
        assertSameBits(plain.variance(), vector.variance(), "variance");
        assertSameBits(plain.invStd(), vector.invStd(), "invStd");
        for (int b = 0; b < x.length; b++) {
            assertSameBits(plain.y()[b], vector.y()[b], "y of image " + b);
            assertSameBits(plain.dx()[b], vector.dx()[b], "dx of image " + b);
        }
        assertSameBits(plain.dGamma(), vector.dGamma(), "dGamma");
        assertSameBits(plain.dBeta(), vector.dBeta(), "dBeta");
    }

    private static Pass pass(float[][] x, float[][] dy, int pixels, int channels, float[] gamma, float[] beta,
                             boolean gelu, boolean inPlace) {
        BatchNormTraining.Statistics s = BatchNormTraining.statisticsHwc(x, pixels, channels, 1e-5);
        float[][] y = {new float[x[0].length], new float[x[1].length]};
        BatchNormTraining.normalizeHwc(x, pixels, channels, s, gamma, beta, gelu, y);
        float[][] g = {dy[0].clone(), dy[1].clone()};
        float[][] dx = inPlace ? g : new float[][]{new float[x[0].length], new float[x[1].length]};
        float[] dGamma = new float[channels];
        float[] dBeta = new float[channels];
        dGamma[0] = 0.25f; // accumulated into, not overwritten
        BatchNormTraining.backwardHwc(x, pixels, channels, s, gamma, beta, gelu, g, dx, dGamma, dBeta);
        return new Pass(s.mean(), s.variance(), s.invStd(), y, dx, dGamma, dBeta);
    }

    private static float[] values(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale + (i % 7 == 0 ? 1.5 : 0));
        }
        return v;
    }

    private static void assertSameBits(float[] plain, float[] vector, String what) {
        for (int i = 0; i < plain.length; i++) {
            assertThat(Float.floatToRawIntBits(vector[i])).as("%s, value %d: %s against %s", what, i, vector[i],
                    plain[i]).isEqualTo(Float.floatToRawIntBits(plain[i]));
        }
    }
}

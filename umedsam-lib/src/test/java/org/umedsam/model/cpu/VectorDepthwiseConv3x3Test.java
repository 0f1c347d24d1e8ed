package org.umedsam.model.cpu;

import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Vector API depthwise 3x3 band against the plain kernel ({@link DepthwiseConv3x3#hwcBand}, itself checked
 * against PyTorch's convolution in the parity tests): whole maps and bands, one- and two-pixel-wide maps, rows split
 * into several segments, with and without GELU; and which kernel inference picks.
 */
class VectorDepthwiseConv3x3Test {

    @ParameterizedTest(name = "{0}x{1}x{2}, rows {3}..{4} from {5}, segment {6} px, gelu {7}")
    @CsvSource({"9, 9, 16, 0, 9, 0, 64, false", "9, 9, 16, 0, 9, 0, 64, true", "1, 1, 32, 0, 1, 0, 8, true",
            "2, 2, 32, 0, 2, 0, 8, false", "3, 1, 16, 0, 3, 0, 8, false", "1, 5, 16, 0, 1, 0, 8, false",
            "20, 70, 64, 3, 11, 2, 16, true", "20, 70, 64, 12, 20, 11, 64, false", "8, 33, 256, 0, 8, 0, 7, true"})
    void matchesThePlainKernel(int height, int width, int c, int row0, int row1, int firstRow, int segment,
                               boolean gelu) {
        Random r = new Random(31L * height + width + c + row0);
        float[] x = KernelTestSupport.rand(r, (height - firstRow) * width * c);
        float[] taps = new float[9 * c];
        for (int i = 0; i < taps.length; i++) {
            taps[i] = (float) r.nextGaussian() / 3;
        }
        float[] bias = KernelTestSupport.rand(r, c);
        float[][] tiled = DepthwiseConv3x3.tiledTaps(taps, bias, c, segment);
        int len = (row1 - row0) * width * c;
        float[] plain = new float[len + 5];
        float[] vector = new float[len + 5];
        DepthwiseConv3x3.hwcBand(x, firstRow, height, width, c, row0, row1, tiled, gelu, plain, 5);
        VectorDepthwiseConv3x3.hwcBand(x, firstRow, height, width, c, row0, row1, tiled, gelu, vector, 5);
        for (int i = 0; i < plain.length; i++) {
            assertThat(vector[i]).as("value %d", i).isCloseTo(plain[i], within(1e-5f * (1 + Math.abs(plain[i]))));
        }
        // off-heap outputs: the same bits as each kernel's heap output
        NativeFloats plainOff = KernelTestSupport.poisoned(len);
        NativeFloats vectorOff = KernelTestSupport.poisoned(len);
        DepthwiseBand.PLAIN.apply(x, firstRow, height, width, c, row0, row1, tiled, gelu, plainOff);
        DepthwiseBand.VECTOR.apply(x, firstRow, height, width, c, row0, row1, tiled, gelu, vectorOff);
        assertThat(KernelTestSupport.read(plainOff, len)).isEqualTo(java.util.Arrays.copyOfRange(plain, 5, len + 5));
        assertThat(KernelTestSupport.read(vectorOff, len)).isEqualTo(java.util.Arrays.copyOfRange(vector, 5, len + 5));
        float[] again = new float[vector.length];
        VectorDepthwiseConv3x3.hwcBand(x, firstRow, height, width, c, row0, row1, tiled, gelu, again, 5);
        assertThat(again).containsExactly(vector);
    }

    @Test
    void inferencePicksTheVectorKernelForWholeVectorsOfChannels() {
        int lanes = VectorSupport.lanes();
        float[][] tiled = DepthwiseConv3x3.tiledTaps(new float[9 * lanes], new float[lanes], lanes, 4);
        float[] x = new float[4 * 4 * lanes];
        java.util.Arrays.fill(x, 1f);
        assertThat(VectorDepthwiseConv3x3.supports(lanes)).isTrue();
        assertThat(VectorDepthwiseConv3x3.supports(lanes + 1)).isFalse();
        DepthwiseBand chosen = DepthwiseBand.forInference(lanes);
        assertThat(chosen).isEqualTo(VectorSupport.enabled() ? DepthwiseBand.VECTOR : DepthwiseBand.PLAIN);
        assertThat(DepthwiseBand.forInference(lanes + 1)).isEqualTo(DepthwiseBand.PLAIN);
        float[] y = new float[x.length];
        chosen.apply(x, 0, 4, 4, lanes, 0, 4, tiled, false, y, 0);
        assertThat(y).containsOnly(0f);
        PlainKernels.run(() -> {
            assertThat(VectorSupport.enabled()).isFalse();
            assertThat(DepthwiseBand.forInference(lanes)).isEqualTo(DepthwiseBand.PLAIN);
        });
    }
}

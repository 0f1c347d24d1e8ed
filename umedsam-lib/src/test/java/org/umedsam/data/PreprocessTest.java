package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@link Preprocess} on grey images: one channel resized and repeated, the same bits as three. */
class PreprocessTest {

    private static ImageU8 grey(int h, int w, long seed) {
        byte[] d = new byte[h * w];
        new Random(seed).nextBytes(d);
        return new ImageU8(h, w, 1, d);
    }

    /** Sizes taking each resize path: enlarging, identity, whole-number and fractional area scales. */
    @ParameterizedTest
    @CsvSource({"128, 128", "100, 37", "256, 256", "512, 256", "768, 1024", "1536, 2040", "300, 290", "7, 513"})
    void aGreyImageGivesTheSameBitsAsItsThreeChannelCopy(int h, int w) {
        ImageU8 g = grey(h, w, 31L * h + w);
        PreparedImage one = Preprocess.defaults().prepare(g);
        PreparedImage three = Preprocess.defaults().prepare(g.toThreeChannels());
        assertThat(one.newH()).isEqualTo(three.newH());
        assertThat(one.newW()).isEqualTo(three.newW());
        float[] a = one.chw();
        float[] b = three.chw();
        assertThat(a).hasSize(3 * 256 * 256);
        int differing = 0;
        for (int i = 0; i < a.length; i++) {
            differing += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i]) ? 1 : 0;
        }
        assertThat(differing).as("values whose bits differ").isZero();
    }

    @Test
    void aConstantGreyImageNormalisesToZeros() {
        ImageU8 flat = new ImageU8(40, 60, 1, new byte[40 * 60]);
        java.util.Arrays.fill(flat.data(), (byte) 200);
        PreparedImage p = Preprocess.defaults().prepare(flat);
        for (float v : p.chw()) {
            assertThat(v).isZero();
        }
    }

    @Test
    void twoChannelsAreRefused() {
        assertThatThrownBy(() -> Preprocess.defaults().prepare(new ImageU8(4, 4, 2, new byte[32])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("2");
    }

    @Test
    void aRepeatedPlaneLandsInEveryChannelPaddedWithZeros() {
        float[] plane = {1, 2, 3, 4, 5, 6};
        float[] out = Pad.chwRepeated(plane, 3, 2, 3, 4);
        float[] expectedChannel = {1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int c = 0; c < 3; c++) {
            assertThat(java.util.Arrays.copyOfRange(out, c * 16, c * 16 + 16)).containsExactly(expectedChannel);
        }
        assertThatThrownBy(() -> Pad.chwRepeated(plane, 3, 2, 2, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}

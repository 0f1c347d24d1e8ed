package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link Preprocess} beyond the OpenCV fixtures ({@code PreprocessFixtureTest}): a constant image, and an image
 * that is neither grey nor colour. (Kept from the tests of edbb1d5's grey path, which 3ced415 reverted.)
 */
class PreprocessTest {

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
}

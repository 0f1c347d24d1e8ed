package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedsTest {

    /** Values of the two mixers Seeds replaced (the shuffler's and the sampler's), so data order is unchanged. */
    @Test
    void keepsTheValuesOfTheMixersItReplaced() {
        assertThat(Seeds.mix(2024, 0, 0)).isEqualTo(-6855445996959386162L);
        assertThat(Seeds.mix(2024, 3, -1)).isEqualTo(6059733591425630188L);
        assertThat(Seeds.mix(7, 1, 5, Seeds.SAMPLER_STREAM)).isEqualTo(6696430573878241977L);
        assertThat(Seeds.mix(2024, 0, -2, Seeds.SAMPLER_STREAM)).isEqualTo(3340949083563178055L);
    }

    @Test
    void streamsAndPositionsDiffer() {
        assertThat(Seeds.mix(1, 0, 0)).isNotEqualTo(Seeds.mix(1, 0, 0, Seeds.SAMPLER_STREAM));
        assertThat(Seeds.mix(1, 0, 1)).isNotEqualTo(Seeds.mix(1, 1, 0));
        assertThat(Seeds.mix(1, 0, 0)).isNotEqualTo(Seeds.mix(2, 0, 0));
    }
}

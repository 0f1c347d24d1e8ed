package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.umedsam.data.Case;
import org.umedsam.data.SamplerConfig;
import org.umedsam.data.SyntheticModalities;
import org.umedsam.data.TrainingSampler;

class SamplerSourceTest {
    @Test
    void samplesArePureFunctionsOfEpochAndPositionAndValidationRepeats() {
        List<Case> cases = List.of(SyntheticModalities.generate("CT", 1), SyntheticModalities.generate("US", 1),
                SyntheticModalities.generate("XRay", 2));
        TrainingSampler sampler = new TrainingSampler(cases, SamplerConfig.defaults().withSeed(3));
        SamplerSource train = SamplerSource.training(sampler);
        assertThat(train.epochSize(0)).isEqualTo(3);
        TrainingExample a = train.example(1, 2);
        TrainingExample b = train.example(1, 2);
        assertThat(a.image()).containsExactly(b.image());
        assertThat(a.mask()).containsExactly(b.mask());
        assertThat(a.box()).containsExactly(b.box());
        assertThat(a.height()).isEqualTo(256);
        assertThat(train.cacheKey(1, 2)).isEqualTo(-1);

        SamplerSource val = SamplerSource.validation(sampler);
        assertThat(val.example(0, 1).mask()).containsExactly(val.example(5, 1).mask());
        assertThat(val.cacheKey(5, 1)).isEqualTo(1);
    }
}

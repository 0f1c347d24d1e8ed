package org.umedsam.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelPresetTest {

    @Test
    void liteMedSamPresetHasTheUpstreamSize() {
        assertThat(WeightMapping.parameterCount(ModelConfig.liteMedSam())).isEqualTo(9_791_300L);
        assertThat(WeightMapping.layout(ModelConfig.liteMedSam())).hasSize(435);
        assertThat(ModelConfig.defaults()).isEqualTo(ModelConfig.liteMedSam());
    }

    @Test
    void smallPresetRunsEndToEnd() {
        ModelConfig small = ModelConfig.small();
        LiteMedSam m = LiteMedSam.create(small, 3L);
        System.out.printf("small preset: %,d parameters (LiteMedSAM: %,d)%n", m.parameterCount(),
                WeightMapping.parameterCount(ModelConfig.liteMedSam()));
        assertThat(m.parameterCount()).isLessThan(WeightMapping.parameterCount(ModelConfig.liteMedSam()) / 2);
        INDArray img = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256);
        INDArray emb = m.embed(img);
        assertThat(emb.shape()).containsExactly(1, 128, 64, 64);
        Prediction p = m.decode(emb, Nd4j.createFromArray(new float[][]{{10, 20, 100, 120}, {50, 50, 200, 230}}), true);
        assertThat(p.masks().shape()).containsExactly(2, 3, 256, 256);
        assertThat(p.iou().shape()).containsExactly(2, 3);
        assertThat(p.masks().isInfinite().any() || p.masks().isNaN().any()).isFalse();
    }

    @Test
    void configRejectsInconsistentShapes() {
        assertThatThrownBy(() -> new ModelConfig(256, new int[]{64, 128, 160, 320}, new int[]{2, 2, 6, 2},
                new int[]{2, 3, 5, 10}, new int[]{7, 7, 14, 7}, new int[]{2, 2, 1}, 4, 4, 256, 2, 2048, 8, 2, 3, 3, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage 1");
        assertThatThrownBy(() -> new ModelConfig(256, new int[]{64, 128, 160, 320}, new int[]{2, 2, 6, 2},
                new int[]{2, 4, 5, 10}, new int[]{7, 7, 14, 7}, new int[]{2, 2, 2}, 4, 4, 256, 2, 2048, 8, 2, 3, 3, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mergeStrides");
    }

    @Test
    void presetsAreFoundByName() {
        assertThat(ModelConfig.NAMES).containsExactly("small", "litemedsam");
        assertThat(ModelConfig.named("small")).isEqualTo(ModelConfig.small());
        assertThat(ModelConfig.named("litemedsam")).isEqualTo(ModelConfig.liteMedSam());
        assertThat(ModelConfig.small()).isNotEqualTo(ModelConfig.liteMedSam());
        assertThatThrownBy(() -> ModelConfig.named("tiny")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown model preset 'tiny', expected one of [small, litemedsam]");
        assertThatThrownBy(() -> ModelConfig.named(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model preset 'null'");
    }
}

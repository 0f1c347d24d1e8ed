package org.umedsam.model.cpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input to {@link MaskDecoder#gradients} is refused with a message naming the problem. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaskDecoderGradientInputTest {

    ModelConfig c = ModelConfig.small();
    MaskDecoder decoder;
    static final Set<String> KEY = Set.of("mask_decoder.iou_token.weight");

    @BeforeAll
    void build() {
        decoder = MaskDecoder.of(c, LiteMedSam.create(c, 3L).stateDict());
    }

    INDArray emb(int b) {
        return Nd4j.zeros(DataType.FLOAT, b, c.promptEmbedDim(), 64, 64);
    }

    INDArray boxes(int b) {
        return Nd4j.ones(DataType.FLOAT, b, 4).muli(50);
    }

    INDArray gl(int b) {
        return Nd4j.zeros(DataType.FLOAT, b, 1, 256, 256);
    }

    INDArray gi(int b) {
        return Nd4j.zeros(DataType.FLOAT, b, 1);
    }

    @Test
    void nonDecoderKeysAreRefusedByName() {
        for (String k : new String[]{"prompt_encoder.point_embeddings.2.weight", "image_encoder.neck.0.weight"}) {
            assertThatThrownBy(() -> decoder.gradients(emb(1), boxes(1), gl(1), gi(1), Set.of(k)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(k).hasMessageContaining("mask_decoder");
        }
        assertThatThrownBy(() -> decoder.gradients(emb(1), boxes(1), gl(1), gi(1), Set.of("mask_decoder.nonexistent.weight")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask_decoder.nonexistent.weight");
        assertThatThrownBy(() -> decoder.gradients(emb(1), boxes(1), gl(1), gi(1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrt");
    }

    @Test
    void wrongShapesAreRefused() {
        assertThatThrownBy(() -> decoder.gradients(Nd4j.zeros(DataType.FLOAT, 1, 256, 64, 64), boxes(1), gl(1), gi(1), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding").hasMessageContaining("[1, 256, 64, 64]");
        assertThatThrownBy(() -> decoder.gradients(emb(2), boxes(1), gl(2), gi(2), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boxes").hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> decoder.gradients(emb(2), boxes(2), gl(1), gi(2), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradLogits").hasMessageContaining("[2, 1, 256, 256]");
        assertThatThrownBy(() -> decoder.gradients(emb(2), boxes(2), Nd4j.zeros(DataType.FLOAT, 2, 1, 128, 128), gi(2), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradLogits");
        assertThatThrownBy(() -> decoder.gradients(emb(2), boxes(2), gl(2), Nd4j.zeros(DataType.FLOAT, 2), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradIou").hasMessageContaining("[2, 1]");
        assertThatThrownBy(() -> decoder.gradients(null, boxes(1), gl(1), gi(1), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding");
    }
}

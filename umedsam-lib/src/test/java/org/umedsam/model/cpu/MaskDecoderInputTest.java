package org.umedsam.model.cpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input to the CPU decoder is refused with a message naming the problem. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaskDecoderInputTest {

    ModelConfig c = ModelConfig.small();
    Map<String, INDArray> state;
    MaskDecoder decoder;

    @BeforeAll
    void build() {
        state = LiteMedSam.create(c, 3L).stateDict();
        decoder = MaskDecoder.of(c, state);
    }

    INDArray box() {
        return Nd4j.createFromArray(new float[][]{{10, 10, 100, 100}});
    }

    @Test
    void wrongEmbeddingShape() {
        INDArray twoImages = Nd4j.zeros(DataType.FLOAT, 2, c.promptEmbedDim(), 64, 64);
        assertThatThrownBy(() -> decoder.decode(twoImages, box(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding").hasMessageContaining("[2, 128, 64, 64]");
        INDArray wrongDim = Nd4j.zeros(DataType.FLOAT, 1, 256, 64, 64);
        assertThatThrownBy(() -> decoder.decode(wrongDim, box(), true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedding");
        assertThatThrownBy(() -> decoder.trace(Nd4j.zeros(DataType.FLOAT, 128, 64, 64), box()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding");
    }

    @Test
    void boxesNotNBy4() {
        INDArray emb = Nd4j.zeros(DataType.FLOAT, 1, c.promptEmbedDim(), 64, 64);
        assertThatThrownBy(() -> decoder.decode(emb, Nd4j.zeros(DataType.FLOAT, 1, 5), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boxes");
        assertThatThrownBy(() -> decoder.decode(emb, Nd4j.zeros(DataType.FLOAT, 4), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boxes");
        assertThatThrownBy(() -> decoder.decode(emb, Nd4j.zeros(DataType.FLOAT, 0, 4), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boxes");
    }

    @Test
    void missingOrMisshapedKey() {
        Map<String, INDArray> missing = new LinkedHashMap<>(state);
        missing.remove("mask_decoder.transformer.layers.1.norm4.bias");
        assertThatThrownBy(() -> MaskDecoder.of(c, missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mask_decoder.transformer.layers.1.norm4.bias");
        Map<String, INDArray> misshaped = new LinkedHashMap<>(state);
        misshaped.put("prompt_encoder.no_mask_embed.weight", Nd4j.zeros(DataType.FLOAT, 1, 7));
        assertThatThrownBy(() -> MaskDecoder.of(c, misshaped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt_encoder.no_mask_embed.weight").hasMessageContaining("[1, 7]");
        // the full-size weights do not fit the small configuration
        assertThatThrownBy(() -> MaskDecoder.of(ModelConfig.liteMedSam(), state))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has shape");
    }
}

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

/** Bad input to the CPU encoder: clear exceptions naming the problem. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageEncoderInputTest {

    ModelConfig config = ModelConfig.small();
    Map<String, INDArray> state;
    ImageEncoder enc;

    @BeforeAll
    void build() {
        state = LiteMedSam.create(config, 3).stateDict();
        enc = ImageEncoder.of(config, state);
    }

    @Test
    void wrongImageShapes() {
        assertThatThrownBy(() -> enc.embed(Nd4j.zeros(DataType.FLOAT, 1, 3, 128, 128)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 3, 256, 256]").hasMessageContaining("[1, 3, 128, 128]");
        assertThatThrownBy(() -> enc.embed(Nd4j.zeros(DataType.FLOAT, 3, 256, 256)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 256, 256]");
        assertThatThrownBy(() -> enc.trace(Nd4j.zeros(DataType.FLOAT, 1, 1, 256, 256)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 1, 256, 256]");
        assertThatThrownBy(() -> enc.embed(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void missingKeyIsNamed() {
        Map<String, INDArray> s = new LinkedHashMap<>(state);
        s.remove("image_encoder.layers.2.blocks.1.attn.qkv.weight");
        assertThatThrownBy(() -> ImageEncoder.of(config, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image_encoder.layers.2.blocks.1.attn.qkv.weight");
        Map<String, INDArray> t = new LinkedHashMap<>(state);
        t.remove("image_encoder.layers.0.blocks.0.conv2.bn.running_var");
        assertThatThrownBy(() -> ImageEncoder.of(config, t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image_encoder.layers.0.blocks.0.conv2.bn.running_var");
    }

    @Test
    void misShapedKeyIsNamed() {
        Map<String, INDArray> s = new LinkedHashMap<>(state);
        s.put("image_encoder.neck.2.weight", Nd4j.zeros(DataType.FLOAT, 128, 128, 1, 1));
        assertThatThrownBy(() -> ImageEncoder.of(config, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image_encoder.neck.2.weight").hasMessageContaining("[128, 128, 1, 1]");
        // the weights of another preset do not fit
        assertThatThrownBy(() -> ImageEncoder.of(ModelConfig.liteMedSam(), state))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image_encoder.patch_embed.seq.0.c.weight");
    }
}

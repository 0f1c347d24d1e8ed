package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;

import static org.assertj.core.api.Assertions.assertThat;

/** The CPU decoder agrees with {@code LiteMedSam.decode} (SameDiff) on the small preset with random weights. */
class MaskDecoderAgreementTest {

    @Test
    void smallPresetThreeBoxesSingleAndMultimask() {
        ModelConfig c = ModelConfig.small();
        LiteMedSam model = LiteMedSam.create(c, 7L);
        MaskDecoder cpu = MaskDecoder.of(c, model.stateDict());
        Nd4j.getRandom().setSeed(11L);
        INDArray emb = Nd4j.randn(DataType.FLOAT, 1, c.promptEmbedDim(), c.embeddingSize(), c.embeddingSize());
        INDArray boxes = Nd4j.createFromArray(new float[][]{{10, 20, 120, 200}, {0, 0, 255, 255}, {100.5f, 60, 140, 90}});
        for (boolean multi : new boolean[]{false, true}) {
            Prediction ref = model.decode(emb, boxes, multi);
            Prediction got = cpu.decode(emb, boxes, multi);
            String what = multi ? "multimask" : "single";
            assertThat(got.masks().shape()).isEqualTo(ref.masks().shape());
            assertThat(got.iou().shape()).isEqualTo(ref.iou().shape());
            double dm = MaskDecoderParityTest.compare("small " + what + " masks", got.masks(), ref.masks());
            double di = MaskDecoderParityTest.compare("small " + what + " iou", got.iou(), ref.iou());
            assertThat(dm).as(what + " masks").isLessThanOrEqualTo(1e-4);
            assertThat(di).as(what + " iou").isLessThanOrEqualTo(1e-5);
        }
        // boxes are independent: decoding one box alone gives its row of the batch
        Prediction all = cpu.decode(emb, boxes, false);
        Prediction one = cpu.decode(emb, boxes.getRow(2, true), false);
        assertThat(MaskDecoderParityTest.compare("box 2 alone vs in batch", one.masks(),
                all.masks().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 3)))).isEqualTo(0.0);
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CPU encoder against the SameDiff encoder (evaluation mode) on the small preset, batch 2, with every
 * parameter perturbed and non-trivial BatchNorm running statistics (a missed fold or a wrong key shows).
 */
class ImageEncoderAgreementTest {

    @Test
    void agreesWithSameDiffOnSmallPresetBatch2() {
        ModelConfig c = ModelConfig.small();
        LiteMedSam model = LiteMedSam.create(c, 11);
        Map<String, INDArray> sd = model.stateDict();
        Random r = new Random(5);
        for (Map.Entry<String, INDArray> e : sd.entrySet()) {
            INDArray a = e.getValue();
            if (!a.dataType().isFPType()) {
                continue;
            }
            String k = e.getKey();
            float[] v = a.dup('c').data().asFloat();
            for (int i = 0; i < v.length; i++) {
                if (k.endsWith("running_var")) {
                    v[i] = 0.5f + r.nextFloat();
                } else if (k.endsWith("running_mean")) {
                    v[i] = (float) (r.nextGaussian() * 0.2);
                } else {
                    v[i] += (float) (r.nextGaussian() * 0.05);
                }
            }
            e.setValue(Nd4j.create(v, a.shape(), 'c').castTo(a.dataType()));
        }
        model.loadStateDict(sd);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, c.imageSize(), c.imageSize());
        INDArray boxes = Nd4j.createFromArray(new float[][]{{10, 20, 200, 180}, {50, 40, 120, 250}});

        ImageEncoder enc = ImageEncoder.of(c, model.stateDict());
        Map<String, INDArray> cpu = enc.trace(images);
        Map<String, INDArray> ref = model.trace(images, boxes);
        for (int i = 0; i < 4; i++) {
            String n = "encoder_layer" + i;
            assertThat(ImageEncoderParityTest.compare("small " + n, cpu.get(n), ref.get(n))[0]).as(n).isLessThan(1e-4);
        }
        assertThat(ImageEncoderParityTest.compare("small image_embedding", cpu.get("image_embedding"),
                ref.get("image_embedding"))[0]).isLessThan(1e-4);
        INDArray emb = enc.embed(images.castTo(DataType.DOUBLE));
        assertThat(emb.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(ImageEncoderParityTest.compare("small embed() vs trace()", emb, cpu.get("image_embedding"))[0])
                .isEqualTo(0.0);
        INDArray second = enc.embed(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)));
        assertThat(ImageEncoderParityTest.compare("small embed() of image 2 alone", second,
                ref.get("image_embedding").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)))[0]).isLessThan(1e-4);
    }
}

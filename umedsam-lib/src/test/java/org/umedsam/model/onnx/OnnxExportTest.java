package org.umedsam.model.onnx;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ONNX export of the small preset, with every weight and BatchNorm statistic perturbed away from its
 * initial value, run in ONNX Runtime against the CPU engine: embedding within 1e-4, mask logits and IoU
 * within 1e-3, for one box and for three boxes in one call (the dynamic box count).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxExportTest {

    ModelConfig config = ModelConfig.small();
    LiteMedSam model;
    OrtModel encoder;
    OrtModel decoder;
    INDArray image;
    INDArray embedding;

    @BeforeAll
    void export() throws Exception {
        model = perturbed(config, 7);
        encoder = new OrtModel(OnnxExport.encoder(model), 2);
        decoder = new OrtModel(OnnxExport.decoder(model), 2);
        Random r = new Random(3);
        float[] pixels = new float[3 * config.imageSize() * config.imageSize()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = r.nextFloat();
        }
        image = Nd4j.create(pixels, new long[]{1, 3, config.imageSize(), config.imageSize()}, 'c');
        embedding = model.embed(image);
    }

    @AfterAll
    void close() throws Exception {
        encoder.close();
        decoder.close();
    }

    /** A fresh model with weights +N(0, 0.02), running means +N(0, 0.1), running variances in [0.5, 1.5]. */
    static LiteMedSam perturbed(ModelConfig c, long seed) {
        LiteMedSam m = LiteMedSam.create(c, seed);
        Random r = new Random(seed);
        Map<String, INDArray> sd = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> en : m.stateDict().entrySet()) {
            INDArray a = en.getValue();
            if (a.dataType().isFPType()) {
                float[] v = a.dup('c').data().asFloat();
                for (int i = 0; i < v.length; i++) {
                    String k = en.getKey();
                    v[i] = k.endsWith("running_var") ? 0.5f + r.nextFloat()
                            : v[i] + (float) (r.nextGaussian() * (k.endsWith("running_mean") ? 0.1 : 0.02));
                }
                a = Nd4j.create(v, a.shape(), 'c');
            }
            sd.put(en.getKey(), a);
        }
        m.loadStateDict(sd);
        return m;
    }

    static double maxAbsDiff(float[] a, INDArray ref) {
        float[] r = ref.castTo(DataType.FLOAT).dup('c').data().asFloat();
        assertThat(a).hasSameSizeAs(r);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - r[i]));
        }
        return m;
    }

    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    Map<String, float[]> decode(OrtModel dec, INDArray emb, INDArray boxes) throws Exception {
        return dec.run(Map.of(OnnxExport.IMAGE_EMBEDDINGS, new OrtModel.Input(floats(emb), emb.shape()),
                OnnxExport.BOXES, new OrtModel.Input(floats(boxes), boxes.shape())));
    }

    @Test
    void encoderAgreesWithTheCpuEngine() throws Exception {
        Map<String, float[]> out = encoder.run(Map.of(OnnxExport.IMAGE, new OrtModel.Input(floats(image), image.shape())));
        assertThat(out).containsOnlyKeys(OnnxExport.IMAGE_EMBEDDINGS);
        double err = maxAbsDiff(out.get(OnnxExport.IMAGE_EMBEDDINGS), embedding);
        System.out.printf("ONNX small encoder: max |ORT - CPU engine| %.3e (max |embedding| %.3f)%n", err,
                embedding.amaxNumber().doubleValue());
        assertThat(err).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void decoderAgreesWithTheCpuEngineForOneAndThreeBoxes() throws Exception {
        INDArray one = Nd4j.createFromArray(new float[][]{{40, 52, 180, 201}});
        INDArray three = Nd4j.createFromArray(new float[][]{{40, 52, 180, 201}, {0, 0, 255, 255}, {120.5f, 10, 140, 30}});
        for (INDArray boxes : new INDArray[]{one, three}) {
            Map<String, float[]> out = decode(decoder, embedding, boxes);
            Prediction ref = model.decode(embedding, boxes, false);
            assertThat(ref.masks().shape()).containsExactly(boxes.size(0), 1, 256, 256);
            double logits = maxAbsDiff(out.get(OnnxExport.LOW_RES_MASKS), ref.masks());
            double iou = maxAbsDiff(out.get(OnnxExport.IOU_PREDICTIONS), ref.iou());
            System.out.printf("ONNX small decoder, %d boxes: max |ORT - CPU engine| logits %.3e, iou %.3e%n",
                    boxes.size(0), logits, iou);
            assertThat(logits).isLessThanOrEqualTo(1e-3);
            assertThat(iou).isLessThanOrEqualTo(1e-3);
        }
    }

    @Test
    void threeBoxesInOneCallEqualThreeSingleCalls() throws Exception {
        INDArray three = Nd4j.createFromArray(new float[][]{{10, 20, 100, 120}, {50, 60, 200, 230}, {0, 0, 40, 40}});
        float[] together = decode(decoder, embedding, three).get(OnnxExport.LOW_RES_MASKS);
        int per = 256 * 256;
        for (int b = 0; b < 3; b++) {
            INDArray box = three.getRow(b).reshape(1, 4);
            float[] alone = decode(decoder, embedding, box).get(OnnxExport.LOW_RES_MASKS);
            double m = 0;
            for (int i = 0; i < per; i++) {
                m = Math.max(m, Math.abs(alone[i] - together[b * per + i]));
            }
            assertThat(m).as("box " + b).isLessThan(1e-4);
        }
    }

    @Test
    void declaresADynamicBoxCount() throws Exception {
        Map<String, long[]> shapes = decoder.outputShapes();
        assertThat(shapes.get(OnnxExport.LOW_RES_MASKS)).containsExactly(-1, 1, 256, 256);
        assertThat(shapes.get(OnnxExport.IOU_PREDICTIONS)).containsExactly(-1, 1);
        assertThat(encoder.outputShapes().get(OnnxExport.IMAGE_EMBEDDINGS))
                .containsExactly(1, config.promptEmbedDim(), 64, 64);
    }

    @Test
    void writesBothFilesThatLoadFromDisk(@TempDir Path dir) throws Exception {
        OnnxExport.Exported files = OnnxExport.write(model, dir.resolve("onnx"));
        assertThat(files.encoder()).hasFileName(OnnxExport.ENCODER_FILE).exists();
        assertThat(files.decoder()).hasFileName(OnnxExport.DECODER_FILE).exists();
        try (var listed = Files.list(dir.resolve("onnx"))) {
            assertThat(listed.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(OnnxExport.ENCODER_FILE, OnnxExport.DECODER_FILE);
        }
        try (OrtModel dec = new OrtModel(Files.readAllBytes(files.decoder()), 1)) {
            INDArray box = Nd4j.createFromArray(new float[][]{{40, 52, 180, 201}});
            double err = maxAbsDiff(decode(dec, embedding, box).get(OnnxExport.LOW_RES_MASKS),
                    model.decode(embedding, box, false).masks());
            assertThat(err).isLessThanOrEqualTo(1e-3);
        }
    }

    @Test
    void refusesAFileAsTheOutputFolder(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "keep me");
        assertThatThrownBy(() -> OnnxExport.write(model, file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a folder");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }
}

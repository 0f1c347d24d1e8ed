package org.umedsam.model.onnx;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.Npy;
import org.umedsam.io.NpyArray;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.Prediction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ONNX export of the perturbed LiteMedSAM checkpoint (shared/fixtures/litemedsam-parity) in ONNX Runtime
 * against the CPU engine on the same weights: embedding within 1e-4, mask logits and IoU within 1e-3, for the
 * fixture's box and for three boxes at once; and against PyTorch's outputs in the fixture, at the tolerances of
 * the engine's own parity test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxExportParityTest {

    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity");

    LiteMedSam model;
    OrtModel encoder;
    OrtModel decoder;
    INDArray image;
    INDArray box;
    INDArray embedding;

    @BeforeAll
    void load() throws Exception {
        assumeTrue(Files.isDirectory(DIR), "parity fixtures absent: " + DIR.toAbsolutePath());
        model = LiteMedSam.fromPth(DIR.resolve("litemedsam_perturbed.pth"));
        long t0 = System.nanoTime();
        byte[] enc = OnnxExport.encoder(model);
        byte[] dec = OnnxExport.decoder(model);
        System.out.printf("ONNX export of LiteMedSAM: %.2f s, encoder %.1f MB, decoder %.1f MB%n",
                (System.nanoTime() - t0) / 1e9, enc.length / 1e6, dec.length / 1e6);
        encoder = new OrtModel(enc, 2);
        decoder = new OrtModel(dec, 2);
        image = nd(Npy.read(DIR.resolve("input_image.npy")));
        box = nd(Npy.read(DIR.resolve("input_box.npy")));
        embedding = model.embed(image);
    }

    @AfterAll
    void close() throws Exception {
        if (encoder != null) {
            encoder.close();
            decoder.close();
        }
    }

    static INDArray nd(NpyArray a) {
        return Nd4j.create(a.toFloatArray(), Arrays.stream(a.shape()).asLongStream().toArray(), 'c');
    }

    float[] ortEmbedding() throws Exception {
        return encoder.run(Map.of(OnnxExport.IMAGE, new OrtModel.Input(OnnxExportTest.floats(image), image.shape())))
                .get(OnnxExport.IMAGE_EMBEDDINGS);
    }

    Map<String, float[]> ortDecode(float[] emb, INDArray boxes) throws Exception {
        return decoder.run(Map.of(OnnxExport.IMAGE_EMBEDDINGS, new OrtModel.Input(emb, embedding.shape()),
                OnnxExport.BOXES, new OrtModel.Input(OnnxExportTest.floats(boxes), boxes.shape())));
    }

    @Test
    void embeddingAgreesWithTheCpuEngineAndPyTorch() throws Exception {
        float[] ort = ortEmbedding();
        double engine = OnnxExportTest.maxAbsDiff(ort, embedding);
        double torch = OnnxExportTest.maxAbsDiff(ort, nd(Npy.read(DIR.resolve("image_embedding.npy"))));
        System.out.printf("ONNX LiteMedSAM embedding: max |ORT - CPU engine| %.3e, max |ORT - PyTorch| %.3e%n", engine, torch);
        assertThat(engine).isLessThanOrEqualTo(1e-4);
        assertThat(torch).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void logitsAgreeWithTheCpuEngineAndPyTorch() throws Exception {
        float[] emb = OnnxExportTest.floats(embedding);
        Map<String, float[]> out = ortDecode(emb, box);
        Prediction ref = model.decode(embedding, box, false);
        double logits = OnnxExportTest.maxAbsDiff(out.get(OnnxExport.LOW_RES_MASKS), ref.masks());
        double iou = OnnxExportTest.maxAbsDiff(out.get(OnnxExport.IOU_PREDICTIONS), ref.iou());
        // the whole exported pipeline (ORT embedding into the ORT decoder) against PyTorch
        Map<String, float[]> chained = ortDecode(ortEmbedding(), box);
        double torch = OnnxExportTest.maxAbsDiff(chained.get(OnnxExport.LOW_RES_MASKS), nd(Npy.read(DIR.resolve("low_res_masks.npy"))));
        double torchIou = OnnxExportTest.maxAbsDiff(chained.get(OnnxExport.IOU_PREDICTIONS),
                nd(Npy.read(DIR.resolve("iou_predictions.npy"))));
        System.out.printf("ONNX LiteMedSAM decoder: max |ORT - CPU engine| logits %.3e, iou %.3e; exported pipeline "
                + "against PyTorch: logits %.3e, iou %.3e%n", logits, iou, torch, torchIou);
        assertThat(logits).isLessThanOrEqualTo(1e-3);
        assertThat(iou).isLessThanOrEqualTo(1e-3);
        assertThat(torch).isLessThanOrEqualTo(1e-3);
        assertThat(torchIou).isLessThanOrEqualTo(1e-3);
    }

    @Test
    void threeBoxesAgreeWithTheCpuEngine() throws Exception {
        float[] b = OnnxExportTest.floats(box);
        INDArray boxes = Nd4j.createFromArray(new float[][]{b, {0, 0, 255, 255}, {b[0] + 10, b[1] + 5, b[2] - 3, b[3] + 7}});
        Map<String, float[]> out = ortDecode(OnnxExportTest.floats(embedding), boxes);
        Prediction ref = model.decode(embedding, boxes, false);
        double logits = OnnxExportTest.maxAbsDiff(out.get(OnnxExport.LOW_RES_MASKS), ref.masks());
        double iou = OnnxExportTest.maxAbsDiff(out.get(OnnxExport.IOU_PREDICTIONS), ref.iou());
        System.out.printf("ONNX LiteMedSAM decoder, 3 boxes: max |ORT - CPU engine| logits %.3e, iou %.3e%n", logits, iou);
        assertThat(logits).isLessThanOrEqualTo(1e-3);
        assertThat(iou).isLessThanOrEqualTo(1e-3);
    }
}

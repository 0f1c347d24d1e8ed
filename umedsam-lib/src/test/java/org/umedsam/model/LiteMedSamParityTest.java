package org.umedsam.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.Npy;
import org.umedsam.io.NpyArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Forward parity against PyTorch on the perturbed LiteMedSAM checkpoint (shared/fixtures/litemedsam-parity):
 * every stage, max absolute and max relative error printed per array.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiteMedSamParityTest {

    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity");

    LiteMedSam model;
    Map<String, INDArray> trace;
    INDArray image;
    INDArray box;

    @BeforeAll
    void load() throws Exception {
        assumeTrue(Files.isDirectory(DIR), "parity fixtures absent: " + DIR.toAbsolutePath());
        model = LiteMedSam.fromPth(DIR.resolve("litemedsam_perturbed.pth"));
        image = nd(Npy.read(DIR.resolve("input_image.npy")));
        box = nd(Npy.read(DIR.resolve("input_box.npy")));
        long t0 = System.nanoTime();
        trace = model.trace(image, box);
        System.out.printf("parity trace (encoder + decoder, first call incl. graph build) %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static INDArray nd(NpyArray a) {
        return Nd4j.create(a.toFloatArray(), Arrays.stream(a.shape()).asLongStream().toArray(), 'c');
    }

    /** {max abs error, max rel error (|d| / max(|ref|, 1e-3))}. */
    static double[] compare(String name, INDArray got, INDArray ref) {
        assertThat(got.shape()).as(name + " shape").isEqualTo(ref.shape());
        INDArray d = got.castTo(ref.dataType()).sub(ref);
        double maxAbs = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce.same.AMax(d)).getDouble(0);
        INDArray denom = Nd4j.math().abs(ref.dup());
        denom = org.nd4j.linalg.ops.transforms.Transforms.max(denom, 1e-3);
        double maxRel = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce.same.AMax(d.div(denom))).getDouble(0);
        double refMax = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce.same.AMax(ref)).getDouble(0);
        System.out.printf("PARITY %-28s max|ref| %10.4g  max abs err %.3e  max rel err %.3e%n", name, refMax, maxAbs, maxRel);
        return new double[]{maxAbs, maxRel};
    }

    double err(String name) throws Exception {
        INDArray ref = nd(Npy.read(DIR.resolve(name + ".npy")));
        return compare(name, trace.get(name), ref)[0];
    }

    @Test
    void parameterCountMatchesUpstream() {
        assertThat(model.parameterCount()).isEqualTo(9_791_300L);
        assertThat(model.stateDict()).hasSize(435);
    }

    @Test
    void encoderStages() throws Exception {
        Map<String, Double> e = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            e.put("encoder_layer" + i, err("encoder_layer" + i));
        }
        for (Map.Entry<String, Double> en : e.entrySet()) {
            assertThat(en.getValue()).as(en.getKey()).isLessThanOrEqualTo(1e-3);
        }
    }

    @Test
    void imageEmbedding() throws Exception {
        assertThat(err("image_embedding")).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void promptEncoder() throws Exception {
        assertThat(err("dense_pe")).isLessThanOrEqualTo(1e-4);
        assertThat(err("sparse_embedding")).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void maskDecoderSingleMask() throws Exception {
        assertThat(err("low_res_masks")).isLessThanOrEqualTo(1e-3);
        assertThat(err("iou_predictions")).isLessThanOrEqualTo(1e-3);
    }

    @Test
    void maskDecoderMultimask() throws Exception {
        assertThat(err("multimask_low_res_masks")).isLessThanOrEqualTo(1e-3);
        assertThat(err("multimask_iou_predictions")).isLessThanOrEqualTo(1e-3);
    }

    @Test
    void decodeAndForwardFromEmbeddingAgreeWithTrace() {
        INDArray emb = trace.get("image_embedding");
        Prediction single = model.decode(emb, box, false);
        Prediction multi = model.decode(emb, Nd4j.concat(0, box, box), true);
        ModelOutput fwd = model.forwardFromEmbedding(emb, box);
        assertThat(compare("decode single", single.masks(), trace.get("low_res_masks"))[0]).isLessThan(1e-5);
        assertThat(compare("decode multimask (2 boxes)", multi.masks().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)),
                trace.get("multimask_low_res_masks"))[0]).isLessThan(1e-5);
        assertThat(compare("forwardFromEmbedding", fwd.lowResLogits(), trace.get("low_res_masks"))[0]).isLessThan(1e-5);
        assertThat(compare("forwardFromEmbedding iou", fwd.iou(), trace.get("iou_predictions"))[0]).isLessThan(1e-5);
    }
}

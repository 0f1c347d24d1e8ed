package org.umedsam.model.cpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
 * The CPU prompt encoder + mask decoder against PyTorch on the perturbed LiteMedSAM checkpoint
 * (shared/fixtures/litemedsam-parity), fed the fixture's image embedding and box; max absolute and
 * relative errors printed per array.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaskDecoderParityTest {

    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity");

    MaskDecoder decoder;
    INDArray embedding;
    INDArray box;
    Map<String, INDArray> trace;

    @BeforeAll
    void load() throws Exception {
        assumeTrue(Files.isDirectory(DIR), "parity fixtures absent: " + DIR.toAbsolutePath());
        LiteMedSam model = LiteMedSam.fromPth(DIR.resolve("litemedsam_perturbed.pth"));
        long t0 = System.nanoTime();
        decoder = MaskDecoder.of(model.config(), model.stateDict());
        System.out.printf("MaskDecoder.of %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        embedding = nd(Npy.read(DIR.resolve("image_embedding.npy")));
        box = nd(Npy.read(DIR.resolve("input_box.npy")));
        trace = decoder.trace(embedding, box);
    }

    static INDArray nd(NpyArray a) {
        return Nd4j.create(a.toFloatArray(), Arrays.stream(a.shape()).asLongStream().toArray(), 'c');
    }

    /** Max absolute error; prints it with the max relative error {@code |d| / max(|ref|, 1e-3)}. */
    static double compare(String name, INDArray got, INDArray ref) {
        assertThat(got.shape()).as(name + " shape").isEqualTo(ref.shape());
        float[] g = got.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        float[] r = ref.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        double maxAbs = 0;
        double maxRel = 0;
        double refMax = 0;
        for (int i = 0; i < r.length; i++) {
            double d = Math.abs((double) g[i] - r[i]);
            if (!(d <= maxAbs)) {
                maxAbs = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
            maxRel = Math.max(maxRel, d / Math.max(Math.abs(r[i]), 1e-3));
            refMax = Math.max(refMax, Math.abs(r[i]));
        }
        System.out.printf("CPU-PARITY %-28s max|ref| %10.4g  max abs err %.3e  max rel err %.3e%n", name, refMax, maxAbs, maxRel);
        return maxAbs;
    }

    double err(String fixture, INDArray got) throws Exception {
        return compare(fixture, got, nd(Npy.read(DIR.resolve(fixture + ".npy"))));
    }

    @Test
    void promptEncoder() throws Exception {
        assertThat(err("dense_pe", trace.get("dense_pe"))).isLessThanOrEqualTo(1e-4);
        assertThat(err("sparse_embedding", trace.get("sparse_embedding"))).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void traceMatchesSingleAndMultimask() throws Exception {
        INDArray masks = trace.get("masks_all");
        INDArray iou = trace.get("iou_all");
        assertThat(err("low_res_masks", masks.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)))).isLessThanOrEqualTo(1e-3);
        assertThat(err("iou_predictions", iou.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)))).isLessThanOrEqualTo(1e-3);
        assertThat(err("multimask_low_res_masks", masks.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)))).isLessThanOrEqualTo(1e-3);
        assertThat(err("multimask_iou_predictions", iou.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)))).isLessThanOrEqualTo(1e-3);
    }

    @Test
    void decodeSingleAndMultimask() throws Exception {
        Prediction single = decoder.decode(embedding, box, false);
        assertThat(err("low_res_masks", single.masks())).isLessThanOrEqualTo(1e-3);
        assertThat(err("iou_predictions", single.iou())).isLessThanOrEqualTo(1e-3);
        // two copies of the box: both rows must match the fixture
        Prediction multi = decoder.decode(embedding, Nd4j.concat(0, box, box), true);
        INDArray refMasks = nd(Npy.read(DIR.resolve("multimask_low_res_masks.npy")));
        INDArray refIou = nd(Npy.read(DIR.resolve("multimask_iou_predictions.npy")));
        for (int b = 0; b < 2; b++) {
            assertThat(compare("multimask masks, box " + b, multi.masks().get(NDArrayIndex.interval(b, b + 1)), refMasks))
                    .isLessThanOrEqualTo(1e-3);
            assertThat(compare("multimask iou, box " + b, multi.iou().get(NDArrayIndex.interval(b, b + 1)), refIou))
                    .isLessThanOrEqualTo(1e-3);
        }
    }
}

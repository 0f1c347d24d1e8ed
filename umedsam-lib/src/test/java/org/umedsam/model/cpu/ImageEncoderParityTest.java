package org.umedsam.model.cpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.Npy;
import org.umedsam.io.NpyArray;
import org.umedsam.model.LiteMedSam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU encoder against PyTorch on the perturbed LiteMedSAM checkpoint (shared/fixtures/litemedsam-parity):
 * every stage output and the embedding, max absolute and relative error printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageEncoderParityTest {

    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity");

    Map<String, INDArray> trace;

    @BeforeAll
    void load() throws Exception {
        assumeTrue(Files.isDirectory(DIR), "parity fixtures absent: " + DIR.toAbsolutePath());
        LiteMedSam model = LiteMedSam.fromPth(DIR.resolve("litemedsam_perturbed.pth"));
        long t0 = System.nanoTime();
        ImageEncoder enc = ImageEncoder.of(model.config(), model.stateDict());
        System.out.printf("ImageEncoder.of (weights snapshot, BN folded): %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        INDArray image = nd(Npy.read(DIR.resolve("input_image.npy")));
        t0 = System.nanoTime();
        trace = enc.trace(image);
        System.out.printf("CPU encoder trace, first call: %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static INDArray nd(NpyArray a) {
        return Nd4j.create(a.toFloatArray(), Arrays.stream(a.shape()).asLongStream().toArray(), 'c');
    }

    /** {max abs error, max rel error (|d| / max(|ref|, 1e-3))}, printed. */
    static double[] compare(String name, INDArray got, INDArray ref) {
        assertThat(got.shape()).as(name + " shape").isEqualTo(ref.shape());
        float[] g = got.dup('c').data().asFloat();
        float[] r = ref.dup('c').data().asFloat();
        double maxAbs = 0;
        double maxRel = 0;
        double refMax = 0;
        for (int i = 0; i < g.length; i++) {
            double d = Math.abs((double) g[i] - r[i]);
            maxAbs = Math.max(maxAbs, d);
            maxRel = Math.max(maxRel, d / Math.max(Math.abs(r[i]), 1e-3));
            refMax = Math.max(refMax, Math.abs(r[i]));
        }
        System.out.printf("CPU-PARITY %-18s max|ref| %10.4g  max abs err %.3e  max rel err %.3e%n", name, refMax, maxAbs, maxRel);
        return new double[]{maxAbs, maxRel};
    }

    double err(String name) throws Exception {
        return compare(name, trace.get(name), nd(Npy.read(DIR.resolve(name + ".npy"))))[0];
    }

    @Test
    void stagesMatchPyTorch() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(err("encoder_layer" + i)).as("encoder_layer" + i).isLessThanOrEqualTo(1e-3);
        }
    }

    @Test
    void embeddingMatchesPyTorch() throws Exception {
        assertThat(err("image_embedding")).isLessThanOrEqualTo(1e-4);
    }
}

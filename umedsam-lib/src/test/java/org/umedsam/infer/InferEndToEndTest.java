package org.umedsam.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.data.Case;
import org.umedsam.data.CaseWriter;
import org.umedsam.io.LabelArray;
import org.umedsam.io.NpyArray;
import org.umedsam.io.NpyDtype;
import org.umedsam.io.Npz;
import org.umedsam.model.LiteMedSam;

/**
 * Inference end to end with the parity checkpoint (real LiteMedSAM architecture, perturbed weights):
 * a 2D case with several boxes read from a challenge-format file and written back as {@code segs}.
 * The 3D path runs end to end in the {@code infer} command's test (experiments module); its rules are
 * tested in {@link VolumePropagationTest}.
 */
class InferEndToEndTest {
    static final Path CHECKPOINT = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity",
            "litemedsam_perturbed.pth");
    static Predictor predictor;

    @BeforeAll
    static void load() throws Exception {
        if (Files.isRegularFile(CHECKPOINT)) {
            predictor = Predictor.of(Predictor.loadModel(CHECKPOINT));
        }
    }

    /** Grey background with brighter blobs, so the image has structure. */
    static byte[] blobs(int n, int h, int w, int channels, long seed) {
        Random r = new Random(seed);
        byte[] img = new byte[n * h * w * channels];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) (40 + r.nextInt(20));
        }
        for (int k = 0; k < 4; k++) {
            int cy = 10 + r.nextInt(h - 20);
            int cx = 10 + r.nextInt(w - 20);
            int rad = 5 + r.nextInt(10);
            for (int s = 0; s < n; s++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= rad * rad) {
                            for (int c = 0; c < channels; c++) {
                                img[((s * h + y) * w + x) * channels + c] = (byte) (180 + r.nextInt(40));
                            }
                        }
                    }
                }
            }
        }
        return img;
    }

    @Test
    void twoDimensionalCaseWithSeveralBoxes(@TempDir Path tmp) throws Exception {
        assumeTrue(predictor != null, "parity checkpoint absent: " + CHECKPOINT.toAbsolutePath());
        int h = 150;
        int w = 200;
        byte[] img = blobs(1, h, w, 3, 1);
        int[][] boxes = {{10, 10, 90, 80}, {60, 40, 160, 140}, {120, 5, 195, 70}};
        Case c = new Case("2DBox_US_9001", "US", false, false, new int[] {h, w, 3}, img, (LabelArray) null, boxes,
                null);
        Path in = CaseWriter.write(c, Files.createDirectories(tmp.resolve("in")));
        // keep the embedding the inference made, to decode the boxes one by one against it below
        SliceSegmenter.Embedded[] last = new SliceSegmenter.Embedded[1];
        SliceSegmenter keeping = image -> {
            last[0] = predictor.embed(image);
            return boxes256 -> last[0].decode(boxes256); // the inference's close does not reach it
        };
        CaseInference.Output out = new CaseInference(keeping, 8).predictFile(in, tmp.resolve("out"));
        assertThat(out.embeddings()).isEqualTo(1);
        assertThat(out.decodes()).isEqualTo(3);

        NpyArray segs = Npz.read(tmp.resolve("out").resolve(in.getFileName()), "segs");
        assertThat(segs.dtype()).isEqualTo(NpyDtype.UINT8);
        assertThat(segs.shape()).containsExactly(h, w);
        byte[] labels = segs.toUint8Array();
        for (byte b : labels) {
            assertThat(b & 0xFF).isBetween(0, 3);
        }
        // decoding the boxes one by one (as upstream does) and composing in order gives the same labels
        byte[] oneByOne = new byte[h * w];
        SliceSegmenter.Embedded e = last[0];
        for (int i = 0; i < boxes.length; i++) {
            double[] b256 = org.umedsam.data.BoxPrompts.toModelFrame(
                    new double[] {boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3]}, h, w);
            byte[] m = e.decode(new double[][] {b256})[0].toFrame();
            for (int p = 0; p < m.length; p++) {
                if (m[p] != 0) {
                    oneByOne[p] = (byte) (i + 1);
                }
            }
        }
        e.close();
        assertThat(labels).isEqualTo(oneByOne);
    }

    @Test
    void ourCheckpointFormatLoadsToo(@TempDir Path tmp) throws Exception {
        assumeTrue(predictor != null, "parity checkpoint absent");
        Path ours = tmp.resolve("model.umedsam");
        predictor.model().save(ours);
        LiteMedSam back = Predictor.loadModel(ours);
        assertThat(back.parameterCount()).isEqualTo(predictor.model().parameterCount());
    }
}

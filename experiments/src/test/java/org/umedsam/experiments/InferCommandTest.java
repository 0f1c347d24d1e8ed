package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.data.Case;
import org.umedsam.data.CaseWriter;
import org.umedsam.io.LabelArray;
import org.umedsam.io.NpyArray;
import org.umedsam.io.NpyDtype;
import org.umedsam.io.Npz;

/**
 * {@code umedsam infer} end to end with the parity checkpoint on a 2D case with several boxes and a
 * 3D case (small, generated here), then {@code umedsam evaluate} on its output.
 */
class InferCommandTest {
    static final Path CHECKPOINT = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity",
            "litemedsam_perturbed.pth");

    static byte[] image(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (30 + r.nextInt(30));
        }
        return b;
    }

    static void square(byte[] img, int stride, int channels, int x0, int y0, int x1, int y1, int offset) {
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                for (int c = 0; c < channels; c++) {
                    img[offset + (y * stride + x) * channels + c] = (byte) 200;
                }
            }
        }
    }

    @Test
    void infersTwoAndThreeDimensionalCasesThenEvaluates(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(CHECKPOINT), "parity checkpoint absent: " + CHECKPOINT.toAbsolutePath());
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        // 2D: 120x160 colour image, three boxes
        int h = 120;
        int w = 160;
        byte[] img2 = image(h * w * 3, 1);
        square(img2, w, 3, 20, 20, 60, 60, 0);
        square(img2, w, 3, 90, 30, 140, 100, 0);
        byte[] gt2 = new byte[h * w];
        for (int y = 20; y <= 60; y++) {
            for (int x = 20; x <= 60; x++) {
                gt2[y * w + x] = 1;
            }
        }
        int[][] boxes2 = {{18, 18, 62, 62}, {88, 28, 142, 102}, {0, 0, 159, 119}};
        CaseWriter.write(new Case("2DBox_US_7001", "US", false, false, new int[] {h, w, 3}, img2, (LabelArray) null,
                boxes2, null), in);
        CaseWriter.write(new Case("2DBox_US_7001", "US", false, false, new int[] {h, w, 3}, img2, gt2, null, null), gts);
        // 3D: 2 slices of 48x64, one box over both (z_mid 0: up to 1, nothing below)
        int d = 2;
        int h3 = 48;
        int w3 = 64;
        byte[] img3 = image(d * h3 * w3, 2);
        for (int z = 0; z < d; z++) {
            square(img3, w3, 1, 10, 10, 30, 30, z * h3 * w3);
        }
        byte[] gt3 = new byte[d * h3 * w3];
        gt3[h3 * w3 + 20 * w3 + 20] = 1;
        int[][] boxes3 = {{8, 8, 0, 32, 32, 1}};
        double[] spacing = {3.0, 0.9, 0.9};
        CaseWriter.write(new Case("3DBox_CT_7002", "CT", true, false, new int[] {d, h3, w3}, img3, (LabelArray) null,
                boxes3, spacing), in);
        CaseWriter.write(new Case("3DBox_CT_7002", "CT", true, false, new int[] {d, h3, w3}, img3, gt3, null, spacing), gts);

        Path out = tmp.resolve("segs");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", CHECKPOINT.toString(), "--input",
                in.toString(), "--output", out.toString(), "--threads", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("2DBox_US_7001.npz").contains("3DBox_CT_7002.npz").contains("summary: 2 cases, 4 boxes, 3 embeddings");
        // not a terminal: no progress bar redrawing itself with carriage returns into a log
        assertThat(r.err()).doesNotContain("\r");

        NpyArray s2 = Npz.read(out.resolve("2DBox_US_7001.npz"), "segs");
        assertThat(s2.dtype()).isEqualTo(NpyDtype.UINT8);
        assertThat(s2.shape()).containsExactly(h, w);
        NpyArray s3 = Npz.read(out.resolve("3DBox_CT_7002.npz"), "segs");
        assertThat(s3.shape()).containsExactly(d, h3, w3);
        for (byte b : s3.toUint8Array()) {
            assertThat(b & 0xFF).isBetween(0, 1);
        }
        // and the predictions score
        EvaluateCommandTest.Run e = EvaluateCommandTest.run("evaluate", "--segs", out.toString(), "--gts", gts.toString(),
                "--csv", tmp.resolve("m.csv").toString());
        assertThat(e.exit()).as(e.err()).isZero();
        assertThat(Files.readAllLines(tmp.resolve("m.csv"))).hasSize(3);
    }

    @Test
    void caseWithThreeHundredObjectsWritesUint16SegsWithItsLabels(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(CHECKPOINT), "parity checkpoint absent: " + CHECKPOINT.toAbsolutePath());
        Path in = Files.createDirectories(tmp.resolve("in"));
        // 300 bright 6x6 squares on a 256x256 image, one box each (cells of 12x17, 20 across, 15 down)
        int side = 256;
        byte[] img = image(side * side * 3, 3);
        int[][] boxes = new int[300][];
        for (int i = 0; i < boxes.length; i++) {
            int x0 = (i % 20) * 12 + 3;
            int y0 = (i / 20) * 17 + 5;
            square(img, side, 3, x0, y0, x0 + 5, y0 + 5, 0);
            boxes[i] = new int[] {x0 - 2, y0 - 2, x0 + 7, y0 + 7};
        }
        CaseWriter.write(new Case("2DBox_Microscope_7003", "Microscopy", false, false, new int[] {side, side, 3}, img,
                (LabelArray) null, boxes, null), in);
        Path out = tmp.resolve("segs");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", CHECKPOINT.toString(), "--input",
                in.toString(), "--output", out.toString(), "--threads", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("summary: 1 cases, 300 boxes");
        NpyArray segs = Npz.read(out.resolve("2DBox_Microscope_7003.npz"), "segs");
        assertThat(segs.dtype()).isEqualTo(NpyDtype.UINT16);
        assertThat(segs.shape()).containsExactly(side, side);
        int[] labels = segs.toIntArray();
        java.util.BitSet seen = new java.util.BitSet();
        for (int v : labels) {
            assertThat(v).isBetween(0, 300);
            seen.set(v);
        }
        // the last box's mask is painted over every earlier one, so label 300 is there, untruncated
        assertThat(seen.get(300)).isTrue();
    }

    /** {@code --checkpoint} takes a shipped model's name, as its help says; an unknown name is one line naming it. */
    @Test
    void aShippedModelsNameIsACheckpoint(@TempDir Path tmp) throws Exception {
        assumeTrue(org.umedsam.model.ShippedModels.names().contains("small-base"), "no shipped small-base here");
        Path in = Files.createDirectories(tmp.resolve("in"));
        int side = 64;
        byte[] img = image(side * side * 3, 4);
        square(img, side, 3, 20, 20, 40, 40, 0);
        CaseWriter.write(new Case("2DBox_US_7004", "US", false, false, new int[] {side, side, 3}, img, (LabelArray) null,
                new int[][] {{18, 18, 42, 42}}, null), in);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                in.toString(), "--output", tmp.resolve("segs").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(tmp.resolve("segs").resolve("2DBox_US_7004.npz")).isRegularFile();

        EvaluateCommandTest.Run unknown = EvaluateCommandTest.run("infer", "--checkpoint", "no-such-model", "--input",
                in.toString(), "--output", tmp.resolve("segs2").toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().strip().lines().filter(l -> l.startsWith("umedsam infer:")).toList())
                .singleElement().asString().contains("no-such-model").contains("no shipped model of that name")
                .contains("small-base");
    }

    static Path smallCase(Path dir, String name, long seed) throws Exception {
        int side = 64;
        byte[] img = image(side * side * 3, seed);
        square(img, side, 3, 20, 20, 40, 40, 0);
        CaseWriter.write(new Case(name, "US", false, false, new int[] {side, side, 3}, img, (LabelArray) null,
                new int[][] {{18, 18, 42, 42}}, null), dir);
        return dir.resolve(name + ".npz");
    }

    /** A batch stopped by a bad case (or a kill) continues with --skip-existing; --skip-bad-cases goes past it. */
    @Test
    void aStoppedBatchContinuesWithSkipExistingAndSkipBadCases(@TempDir Path tmp) throws Exception {
        assumeTrue(org.umedsam.model.ShippedModels.names().contains("small-base"), "no shipped small-base here");
        Path in = Files.createDirectories(tmp.resolve("in"));
        smallCase(in, "2DBox_US_0001", 1);
        Path b = smallCase(in, "2DBox_US_0002", 2);
        byte[] good = Files.readAllBytes(b);
        Files.write(b, java.util.Arrays.copyOf(good, good.length / 2));
        smallCase(in, "2DBox_US_0003", 3);
        Path out = tmp.resolve("segs");
        Path a = out.resolve("2DBox_US_0001.npz");
        Path c = out.resolve("2DBox_US_0003.npz");
        EvaluateCommandTest.Run first = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                in.toString(), "--output", out.toString());
        assertThat(first.exit()).isEqualTo(2);
        assertThat(a).isRegularFile();
        assertThat(c).doesNotExist();
        byte[] aBytes = Files.readAllBytes(a);
        Files.writeString(a, "kept"); // marks the file: a rerun must not replace it

        // the bad case is reported, the rest predicted, and the exit code still says something was wrong
        EvaluateCommandTest.Run skip = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                in.toString(), "--output", out.toString(), "--skip-existing", "--skip-bad-cases");
        assertThat(skip.exit()).as(skip.err()).isEqualTo(2);
        List<String> errs = CarelessInputCliTest.errorLines(skip).stream().filter(l -> l.startsWith("umedsam infer:"))
                .toList();
        assertThat(errs).hasSize(2);
        assertThat(errs.get(0)).startsWith("umedsam infer: skipped " + b);
        assertThat(errs.get(1)).isEqualTo("umedsam infer: 1 of 2 cases skipped as unreadable (first: " + b
                + "); they have no prediction, the other 1 have");
        assertThat(skip.out()).contains("keeping 1 predictions already in").contains("summary: 1 cases");
        assertThat(Files.readString(a)).isEqualTo("kept");
        assertThat(c).isRegularFile();
        assertThat(out.resolve("2DBox_US_0002.npz")).doesNotExist();

        // once the case is mended, --skip-existing predicts only it
        Files.write(b, good);
        EvaluateCommandTest.Run rest = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                in.toString(), "--output", out.toString(), "--skip-existing");
        assertThat(rest.exit()).as(rest.err()).isZero();
        assertThat(rest.out()).contains("2DBox_US_0002.npz").doesNotContain("2DBox_US_0001.npz ")
                .contains("summary: 1 cases");
        assertThat(Files.readString(a)).isEqualTo("kept");
        assertThat(out.resolve("2DBox_US_0002.npz")).isRegularFile();
        EvaluateCommandTest.Run none = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                in.toString(), "--output", out.toString(), "--skip-existing");
        assertThat(none.exit()).isZero();
        assertThat(none.out()).contains("all 3 cases already have predictions");
        assertThat(aBytes).isNotEmpty();

        EvaluateCommandTest.Run both = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                in.toString(), "--output", out.toString(), "--skip-existing", "--overwrite");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(both)).singleElement().asString()
                .startsWith("umedsam infer: --overwrite and --skip-existing exclude each other");
    }

    /** Inputs (cases, checkpoint) are checked before the output folder is created. */
    @Test
    void refusedInputsCreateNoOutputFolder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("o9");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                tmp.resolve("nope").toString(), "--output", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(out).doesNotExist();
        Path in = Files.createDirectories(tmp.resolve("in"));
        smallCase(in, "2DBox_US_0001", 1);
        EvaluateCommandTest.Run ck = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("nope.pth").toString(),
                "--input", in.toString(), "--output", out.toString());
        assertThat(ck.exit()).isEqualTo(2);
        assertThat(ck.err()).contains("no such checkpoint file");
        assertThat(out).doesNotExist();
        // a bad case met after the model loaded: the folder this run made, still empty, goes too
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(bad.resolve("2DBox_US_0002.npz"), "not a zip");
        EvaluateCommandTest.Run bc = EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input",
                bad.toString(), "--output", out.toString());
        assertThat(bc.exit()).isEqualTo(2);
        assertThat(out).doesNotExist();
        // a folder that was there before stays
        Files.createDirectories(out);
        assertThat(EvaluateCommandTest.run("infer", "--checkpoint", "small-base", "--input", bad.toString(), "--output",
                out.toString()).exit()).isEqualTo(2);
        assertThat(out).isDirectory();
    }

    @Test
    void missingInputFolderIsReported(@TempDir Path tmp) {
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("x.pth").toString(),
                "--input", tmp.resolve("nothing").toString(), "--output", tmp.resolve("o").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("nothing").contains("not a directory");
    }
}

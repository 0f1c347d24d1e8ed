package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.io.Nifti;

/**
 * {@code umedsam convert} on NIfTI pairs written here: cases that {@code CaseReader} and
 * {@code evaluate} read, bad pairs stopping or skipped, existing cases kept, option errors in one line.
 */
class ConvertCommandTest {
    static final int[] DIMS = {16, 12, 6}; // x, y, z

    /** The shared runner of the CLI tests. */
    static EvaluateCommandTest.Run run(String... args) {
        return EvaluateCommandTest.run(args);
    }

    /** An MR-like image (values 0..n) and a label map with a 6 x 6 x 3 cube of {@code label} on slices 1..3. */
    static void pair(Path image, Path labelFile, int label) throws Exception {
        int n = DIMS[0] * DIMS[1] * DIMS[2];
        float[] img = new float[n];
        float[] lab = new float[n];
        for (int i = 0; i < n; i++) {
            img[i] = i % 97;
            int x = i % DIMS[0];
            int y = i / DIMS[0] % DIMS[1];
            int z = i / (DIMS[0] * DIMS[1]);
            if (x >= 4 && x < 10 && y >= 2 && y < 8 && z >= 1 && z < 4) {
                lab[i] = label;
            }
        }
        double[] spacing = {0.9, 0.8, 3.0};
        Nifti.write(image, DIMS, spacing, img);
        Nifti.write(labelFile, DIMS, spacing, lab);
    }

    @Test
    void convertsFoldersStopsOrSkipsBadPairsAndKeepsWhatIsWritten(@TempDir Path tmp) throws Exception {
        Path images = Files.createDirectories(tmp.resolve("imagesTr"));
        Path labels = Files.createDirectories(tmp.resolve("labelsTr"));
        pair(images.resolve("a_0000.nii.gz"), labels.resolve("a.nii.gz"), 1);
        pair(images.resolve("b.nii.gz"), labels.resolve("b.nii.gz"), 0); // no label: refused
        pair(images.resolve("c.nii"), labels.resolve("c.nii"), 2);
        Path out = tmp.resolve("cases");
        String[] base = {"convert", "--images", images.toString(), "--labels", labels.toString(), "--modality", "MR",
                "--out", out.toString()};

        EvaluateCommandTest.Run first = run(base);
        assertThat(first.exit()).as(first.out() + first.err()).isEqualTo(2);
        assertThat(first.err().strip()).doesNotContain("\n").startsWith("umedsam convert: ")
                .contains("b.nii.gz").contains("holds no label");
        assertThat(out.resolve("3D_MR_a.npz")).exists();      // written before the bad pair: kept
        assertThat(out.resolve("3D_MR_c.npz")).doesNotExist(); // after it: not reached

        EvaluateCommandTest.Run again = run(concat(base, "--skip-bad-cases"));
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("3D_MR_a.npz already exists").contains("--overwrite");

        EvaluateCommandTest.Run skip = run(concat(base, "--skip-bad-cases", "--overwrite"));
        assertThat(skip.exit()).as(skip.err()).isEqualTo(2);
        assertThat(skip.err()).contains("umedsam convert: skipped ").contains("1 of 3 pairs skipped");
        assertThat(skip.out()).contains("3D_MR_a.npz").contains("3D_MR_c.npz").contains("summary: 2 of 3 pairs");
        Case c = CaseReader.read(out.resolve("3D_MR_c.npz"));
        assertThat(c.threeD()).isTrue();
        assertThat(c.modality()).isEqualTo("MR");
        assertThat(c.shape()).containsExactly(3, DIMS[1], DIMS[0]); // [D, H, W], slices 1..3 kept
        // label 2 numbered 1, as infer labels its first box; one tight box for it
        assertThat(c.labels()).containsExactly(1);
        assertThat(c.boxes()).hasNumberOfRows(1);
        assertThat(c.spacing()[0]).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(c.spacing()[2]).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));

        // the cases go through infer (their boxes as prompts) and evaluate, as the challenge's cases do
        org.junit.jupiter.api.Assumptions.assumeTrue(org.umedsam.model.ShippedModels.names().contains("small-base"),
                "no shipped small-base here");
        Path segs = tmp.resolve("segs");
        EvaluateCommandTest.Run infer = run("infer", "--checkpoint", "small-base", "--input", out.toString(), "--output",
                segs.toString());
        assertThat(infer.exit()).as(infer.err()).isZero();
        assertThat(segs.resolve("3D_MR_a.npz")).isRegularFile();
        EvaluateCommandTest.Run eval = run("evaluate", "--segs", segs.toString(), "--gts", out.toString(), "--csv",
                tmp.resolve("metrics.csv").toString());
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("3D_MR_a.npz").contains("2 cases scored");

        // and back over the source volumes: the whole grid, label 2's value where the prediction has label 1
        Path maps = tmp.resolve("maps");
        EvaluateCommandTest.Run back = run("to-nifti", "--segs", segs.toString(), "--cases", out.toString(), "--out",
                maps.toString());
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(back.out()).contains("summary: 2 of 2 predictions");
        Nifti.Volume map = Nifti.read(maps.resolve("3D_MR_c.nii.gz"));
        assertThat(map.dims()).containsExactly(DIMS);
        assertThat(map.spacing()[2]).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));
        org.umedsam.io.LabelArray predicted = org.umedsam.io.LabelArray.of(
                org.umedsam.io.Npz.read(segs.resolve("3D_MR_c.npz"), "segs"));
        long inPrediction = 0;
        for (int i = 0; i < predicted.length(); i++) {
            inPrediction += predicted.get(i) != 0 ? 1 : 0;
        }
        long inMap = 0;
        int plane = DIMS[0] * DIMS[1];
        for (int i = 0; i < map.values().length; i++) {
            float v = map.values()[i];
            assertThat(v).isIn(0f, 2f);
            int z = i / plane;
            if (z == 0 || z > 3) {
                assertThat(v).as("slice %d held no label, so convert left it out", z).isZero();
            }
            inMap += v == 2f ? 1 : 0;
        }
        assertThat(inMap).isEqualTo(inPrediction);
        EvaluateCommandTest.Run refused = run("to-nifti", "--segs", segs.toString(), "--cases", out.toString(), "--out",
                maps.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("already exists").contains("--overwrite");
    }

    @Test
    void toNiftiStopsAtOrSkipsPredictionsOnCasesConvertDidNotWrite(@TempDir Path tmp) throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path labels = Files.createDirectories(tmp.resolve("labels"));
        pair(images.resolve("a.nii.gz"), labels.resolve("a.nii.gz"), 5);
        Path cases = tmp.resolve("cases");
        assertThat(run("convert", "--images", images.toString(), "--labels", labels.toString(), "--modality", "MR",
                "--out", cases.toString()).exit()).isZero();
        Case a = CaseReader.read(cases.resolve("3D_MR_a.npz"));
        // a second case in the folder that convert did not write: the challenge's arrays only
        org.umedsam.data.CaseWriter.write(new Case("3D_MR_b", "MR", true, false, a.shape(), a.imgs(), a.gts(),
                a.boxes(), a.spacing()), cases);
        Path segs = Files.createDirectories(tmp.resolve("segs"));
        org.umedsam.data.CaseWriter.writeSegs(segs.resolve("3D_MR_a.npz"), a.gts(), a.shape());
        org.umedsam.data.CaseWriter.writeSegs(segs.resolve("3D_MR_b.npz"), a.gts(), a.shape());
        Path maps = tmp.resolve("maps");
        String[] base = {"to-nifti", "--segs", segs.toString(), "--cases", cases.toString(), "--out", maps.toString()};

        EvaluateCommandTest.Run stop = run(base);
        assertThat(stop.exit()).isEqualTo(2);
        assertThat(stop.err().strip()).doesNotContain("\n").startsWith("umedsam to-nifti: ").contains("3D_MR_b.npz")
                .contains("not converted from NIfTI");
        assertThat(maps.resolve("3D_MR_a.nii.gz")).isRegularFile(); // written before the bad one: kept

        EvaluateCommandTest.Run skip = run(concat(base, "--overwrite", "--skip-bad-cases"));
        assertThat(skip.exit()).isEqualTo(2);
        assertThat(skip.err()).contains("umedsam to-nifti: skipped ").contains("1 of 2 predictions skipped")
                .contains("they have no label map, the other 1 have");
        assertThat(skip.out()).contains("summary: 1 of 2 predictions");
        // a perfect prediction gives back the label map's value 5 on slices 1..3, the cube's 6 x 6 x 3 voxels
        float[] v = Nifti.read(maps.resolve("3D_MR_a.nii.gz")).values();
        int fives = 0;
        for (float x : v) {
            fives += x == 5f ? 1 : 0;
        }
        assertThat(fives).isEqualTo(6 * 6 * 3);
    }

    @Test
    void onePairWithADifferentGridIsRefusedNamingBothFiles(@TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("ct.nii.gz");
        Path label = tmp.resolve("ct_seg.nii.gz");
        pair(image, label, 1);
        Nifti.write(image, new int[] {DIMS[1], DIMS[0], DIMS[2]}, new double[] {0.9, 0.8, 3.0},
                new float[DIMS[0] * DIMS[1] * DIMS[2]]);
        Path out = tmp.resolve("out");
        EvaluateCommandTest.Run r = run("convert", "--image", image.toString(), "--label", label.toString(), "--modality", "CT",
                "--out", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("ct.nii.gz and ").contains("ct_seg.nii.gz")
                .contains("different grids");
        assertThat(out).doesNotExist(); // nothing written: no empty folder of ours left behind

        pair(image, label, 1);
        EvaluateCommandTest.Run ok = run("convert", "--image", image.toString(), "--label", label.toString(), "--modality", "CT",
                "--window", "50,350", "--out", out.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(out.resolve("3D_CT_ct_seg.npz")).exists();
        assertThat(ok.out()).contains("window 50.0/350.0");
    }

    @Test
    void optionErrorsAreOneLine(@TempDir Path tmp) {
        String o = tmp.resolve("o").toString();
        assertThat(run("convert", "--modality", "CT", "--out", o).err()).contains("give --images DIR and --labels DIR");
        EvaluateCommandTest.Run both = run("convert", "--image", "a", "--labels", "b", "--modality", "CT", "--out", o);
        assertThat(both.exit()).isEqualTo(2);
        assertThat(run("convert", "--image", "a", "--label", "b", "--modality", "MR", "--window", "40,400", "--out", o)
                .err()).contains("--window applies to CT only");
        assertThat(run("convert", "--image", "a", "--label", "b", "--modality", "CT", "--window", "40", "--out", o)
                .err()).contains("LEVEL,WIDTH");
        // a word or an empty part said only "For input string: ..." or "empty String"
        for (String w : new String[] {"40,nan", ",400", "forty,400"}) {
            assertThat(run("convert", "--image", "a", "--label", "b", "--modality", "CT", "--window", w, "--out", o)
                    .err()).as(w).contains("--window").contains("'" + w + "'");
        }
        assertThat(run("convert", "--image", "a", "--label", "b", "--modality", "CT", "--prefix", "CT_", "--out", o)
                .err()).contains("prefix 'CT_'");
        EvaluateCommandTest.Run missing = run("convert", "--image", "a.nii", "--label", "b.nii", "--modality", "Brain", "--out", o);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("modality 'Brain'");
        EvaluateCommandTest.Run noFile = run("convert", "--image", "a.nii", "--label", "b.nii", "--modality", "CT", "--out", o);
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.err()).contains("a.nii: no such NIfTI file");
    }

    @Test
    void aPairTooLargeForTheHeapIsOneLineNotAStackTrace(@TempDir Path tmp) throws Exception {
        // a gzipped label map of zeros the reader can hold (data and floats), but not the conversion's arrays
        // (labels, the small-object fill's queue, the image): the OutOfMemoryError escaped as a stack trace
        long heap = Runtime.getRuntime().maxMemory();
        int nz = (int) Math.min(heap / 6 / 1_000_000, 2000);
        org.junit.jupiter.api.Assumptions.assumeTrue(13L * nz * 1_000_000 > heap, "the heap holds the conversion");
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(352).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, 348).putShort(40, (short) 3).putShort(42, (short) 1000).putShort(44, (short) 1000)
                .putShort(46, (short) nz).putShort(70, (short) 2).putFloat(108, 352);
        h.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        Path label = tmp.resolve("big.nii.gz");
        try (var o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(label), 1 << 16)) {
            o.write(h.array());
            byte[] slice = new byte[1_000_000];
            slice[0] = 1; // one labelled voxel per slice: the label map is not empty
            for (int z = 0; z < nz; z++) {
                o.write(slice);
            }
        }
        EvaluateCommandTest.Run r = run("convert", "--image", label.toString(), "--label", label.toString(),
                "--modality", "MR", "--out", tmp.resolve("cases").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("umedsam convert: ").contains("big.nii.gz")
                .contains("out of memory").contains("-Xmx");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

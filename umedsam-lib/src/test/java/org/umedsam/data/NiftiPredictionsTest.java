package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.umedsam.data.NiftiCasesTest.NX;
import static org.umedsam.data.NiftiCasesTest.NY;
import static org.umedsam.data.NiftiCasesTest.NZ;
import static org.umedsam.data.NiftiCasesTest.box;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.LabelArray;
import org.umedsam.io.Nifti;

/** Predictions on converted cases go back onto the source volume's grid, slices and label values. */
class NiftiPredictionsTest {

    /** A label map whose labels 7, 300 and 4 sit on slices 3..5 and 7; slices 0..2 and 6 hold none. */
    static float[] labels() {
        float[] lab = new float[NX * NY * NZ];
        box(lab, 7, 0, 12, 0, 10, 3, 6);
        box(lab, 300, 1, 9, 2, 8, 3, 6);
        box(lab, 4, 0, 12, 0, 10, 7, 8);
        return lab;
    }

    /**
     * The pair of {@link NiftiCasesTest#pair} with an orientation in the image's header: sform code 1 and a rotation
     * with an offset, so a copy of the header can be told from a fresh one.
     */
    static NiftiPair orientedPair(Path dir) throws IOException {
        NiftiPair p = NiftiCasesTest.pair(dir, NiftiCasesTest.sliceImage(), labels());
        Path image = p.image().resolveSibling("case01_0000.nii");
        Nifti.write(image, new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 2.5}, NiftiCasesTest.sliceImage());
        Files.delete(p.image());
        byte[] bytes = Files.readAllBytes(image);
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(254, (short) 1);
        float[] srow = {0, -0.7f, 0, 12.5f, 0.8f, 0, 0, -30f, 0, 0, 2.5f, 4f};
        for (int i = 0; i < srow.length; i++) {
            h.putFloat(280 + 4 * i, srow[i]);
        }
        h.put(123, (byte) 2); // mm
        Files.write(image, bytes);
        return NiftiPair.of(image, p.label());
    }

    private static byte[] header(Path file) throws IOException {
        return Nifti.read(file).header();
    }

    @Test
    void aPerfectPredictionComesBackAsTheLabelMapOnTheImagesGrid(@TempDir Path dir) throws IOException {
        NiftiPair p = orientedPair(dir);
        Path caseFile = NiftiCases.write(p, NiftiConversion.defaults("CT"), dir.resolve("cases"), false);
        Case c = CaseReader.read(caseFile);
        assertThat(c.shape()).containsExactly(4, NY, NX); // slices 3, 4, 5 and 7
        Path segs = dir.resolve("segs/" + caseFile.getFileName());
        Files.createDirectories(segs.getParent());
        CaseWriter.writeSegs(segs, c.gts(), c.shape());

        Path out = NiftiPredictions.outputFile(segs, dir.resolve("maps"));
        assertThat(out.getFileName().toString()).isEqualTo("3D_CT_case01.nii.gz");
        NiftiPredictions.write(caseFile, segs, out);
        Nifti.Volume map = Nifti.read(out);
        assertThat(map.dims()).containsExactly(NX, NY, NZ);
        assertThat(map.values()).containsExactly(labels()); // 7, 300, 4 where they were; every other voxel 0
        assertThat(map.datatype()).isEqualTo(512);          // uint16: 300 does not fit a byte
        byte[] image = header(p.image());
        byte[] written = header(out);
        // grid, spacing, units and orientation: dim[0..3], pixdim, xyzt_units, qform and sform as in the image
        assertThat(Arrays.copyOfRange(written, 40, 48)).isEqualTo(Arrays.copyOfRange(image, 40, 48));
        assertThat(Arrays.copyOfRange(written, 76, 108)).isEqualTo(Arrays.copyOfRange(image, 76, 108));
        assertThat(written[123]).isEqualTo(image[123]);
        assertThat(Arrays.copyOfRange(written, 252, 328)).isEqualTo(Arrays.copyOfRange(image, 252, 328));
    }

    @Test
    void predictionsThatDoNotFitTheirCaseAreRefusedInOneLine(@TempDir Path dir) throws IOException {
        NiftiPair p = orientedPair(dir);
        Path caseFile = NiftiCases.write(p, NiftiConversion.defaults("CT"), dir.resolve("cases"), false);
        Path segs = dir.resolve("segs.npz");
        Path out = dir.resolve("map.nii.gz");

        CaseWriter.writeSegs(segs, LabelArray.zeros(3 * NY * NX), 3, NY, NX);
        assertThatThrownBy(() -> NiftiPredictions.write(caseFile, segs, out)).hasMessageStartingWith(segs.toString())
                .hasMessageContaining("[3, " + NY + ", " + NX + "]").hasMessageContaining("[4, " + NY + ", " + NX + "] was expected")
                .hasMessageNotContaining("\n");
        LabelArray four = LabelArray.zeros(4 * NY * NX);
        four.set(5, 4); // the case has labels 1..3
        CaseWriter.writeSegs(segs, four, 4, NY, NX);
        assertThatThrownBy(() -> NiftiPredictions.write(caseFile, segs, out)).hasMessageContaining("label 4")
                .hasMessageContaining("has 3 labels");
        assertThat(out).doesNotExist();

        NiftiSource source = NiftiSource.read(caseFile).orElseThrow();
        byte[] hostile = source.header().clone();
        ByteBuffer.wrap(hostile).order(ByteOrder.LITTLE_ENDIAN).putShort(46, (short) -8); // nz
        NiftiSource claimed = new NiftiSource(hostile, source.slices(), source.labelValues());
        assertThatThrownBy(() -> NiftiPredictions.volume(claimed, LabelArray.zeros(4 * NY * NX), new int[] {4, NY, NX},
                caseFile, segs)).hasMessageStartingWith(caseFile.toString()).hasMessageContaining("claims dim[3] = -8");

        Path plain = CaseWriter.write(CaseReader.read(caseFile), dir.resolve("plain"));
        CaseWriter.writeSegs(segs, LabelArray.zeros(4 * NY * NX), 4, NY, NX);
        assertThatThrownBy(() -> NiftiPredictions.write(plain, segs, out)).hasMessageStartingWith(plain.toString())
                .hasMessageContaining("not converted from NIfTI");
    }

    @Test
    void aLabelMapKeepsABigEndianReferencesByteOrder(@TempDir Path dir) throws IOException {
        NiftiPair p = orientedPair(dir);
        byte[] little = header(p.image());
        ByteBuffer from = ByteBuffer.wrap(little).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer big = ByteBuffer.allocate(348).order(ByteOrder.BIG_ENDIAN);
        big.put(0, little, 0, 348);
        big.putInt(0, 348);
        for (int at = 40; at < 76; at += 2) {
            big.putShort(at, from.getShort(at));
        }
        for (int at = 76; at < 120; at += 4) {
            big.putFloat(at, from.getFloat(at));
        }
        for (int at = 256; at < 328; at += 4) {
            big.putFloat(at, from.getFloat(at));
        }
        big.putShort(252, from.getShort(252));
        big.putShort(254, from.getShort(254));
        LabelArray labels = LabelArray.zeros(NX * NY * NZ);
        labels.set(NX * NY * 2 + 3, 9);
        Path out = dir.resolve("big.nii");
        Nifti.writeLabels(out, big.array(), labels);
        assertThat(ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.BIG_ENDIAN).getInt(0)).isEqualTo(348);
        Nifti.Volume v = Nifti.read(out);
        assertThat(v.dims()).containsExactly(NX, NY, NZ);
        assertThat(v.get(3, 0, 2)).isEqualTo(9f);
        assertThat(v.datatype()).isEqualTo(2);
        assertThatThrownBy(() -> Nifti.writeLabels(out, big.array(), LabelArray.zeros(5)))
                .hasMessageContaining("5 labels do not fit the reference grid of [" + NX + ", " + NY + ", " + NZ + "]");
        byte[] flat = big.array().clone();
        ByteBuffer.wrap(flat).order(ByteOrder.BIG_ENDIAN).putShort(40, (short) 2).putShort(46, (short) 0); // 2D, dim[3] 0
        LabelArray plane = LabelArray.zeros(NX * NY);
        plane.set(4, 3);
        Nifti.writeLabels(out, flat, plane);
        assertThat(Nifti.read(out).dims()).containsExactly(NX, NY, 1);
        assertThat(Nifti.grid(Nifti.read(out).header(), "x")).containsExactly(NX, NY, 1);
    }
}

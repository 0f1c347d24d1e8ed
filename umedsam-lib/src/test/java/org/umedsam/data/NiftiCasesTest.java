package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.Nifti;
import org.umedsam.io.NpyArray;
import org.umedsam.io.NpyDtype;
import org.umedsam.io.Npz;
import org.umedsam.metrics.CaseName;

/** {@link NiftiCases} on small NIfTI pairs written here, against MedSAM's pre-processing numbers. */
class NiftiCasesTest {
    static final int NX = 12;
    static final int NY = 10;
    static final int NZ = 8;

    /** Sets label {@code l} on the box {@code [x0, x1) x [y0, y1) x [z0, z1)} of an [NZ, NY, NX] map. */
    static void box(float[] v, int l, int x0, int x1, int y0, int y1, int z0, int z1) {
        for (int z = z0; z < z1; z++) {
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    v[x + NX * (y + NY * z)] = l;
                }
            }
        }
    }

    /** An image whose voxel value is its slice's number times 100 minus 300 (HU-like: -300 .. 400). */
    static float[] sliceImage() {
        float[] v = new float[NX * NY * NZ];
        for (int i = 0; i < v.length; i++) {
            v[i] = i / (NX * NY) * 100 - 300;
        }
        return v;
    }

    static NiftiPair pair(Path dir, float[] image, float[] labels) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path lab = Files.createDirectories(dir.resolve("labels"));
        Nifti.write(images.resolve("case01_0000.nii.gz"), new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 2.5}, image);
        Nifti.write(lab.resolve("case01.nii.gz"), new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 2.5}, labels);
        return NiftiPair.find(images, lab).get(0);
    }

    @Test
    void ctWindowMapsKnownHounsfieldValues() {
        // window 40/400 = [-160, 240]: the clipped range is the window here, so x -> (x + 160) / 400 * 255, truncated
        byte[] u = IntensityRescale.window(new float[] {-1000, -160, 0, 40, 239, 240, 3000}, 40, 400);
        assertThat(unsigned(u)).containsExactly(0, 0, 102, 127, 254, 255, 255);
        // a scan that does not span the window is stretched to 0..255 by its own range, as MedSAM does
        assertThat(unsigned(IntensityRescale.window(new float[] {0, 50, 100}, 40, 400))).containsExactly(0, 127, 255);
        assertThatThrownBy(() -> IntensityRescale.window(new float[] {-500, -600}, 40, 400))
                .hasMessageContaining("no contrast");
    }

    @Test
    void otherModalitiesClipToPercentilesOfPositiveVoxelsAndKeepZeros() {
        float[] v = new float[1002];
        for (int i = 0; i < 1000; i++) {
            v[i] = i + 1; // 1..1000
        }
        v[1000] = 0;
        v[1001] = -50; // not positive: outside the percentiles, clipped to the lower one
        float[] sorted = java.util.Arrays.copyOf(v, 1000);
        // numpy: np.percentile(np.arange(1, 1001), [0.5, 99.5]) == [5.995, 995.005]
        assertThat(IntensityRescale.percentile(sorted, 0.5)).isCloseTo(5.995, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(IntensityRescale.percentile(sorted, 99.5)).isCloseTo(995.005, org.assertj.core.data.Offset.offset(1e-9));
        int[] u = unsigned(IntensityRescale.percentiles(v, 0.5, 99.5));
        assertThat(u[0]).isZero();            // 1 clipped up to the 0.5 percentile
        assertThat(u[5]).isZero();            // 6 -> (6 - 5.995) / 989.01 * 255 = 0.001
        assertThat(u[999]).isEqualTo(255);    // 1000 clipped down
        assertThat(u[1000]).isZero();         // zero stays zero
        assertThat(u[1001]).isZero();
        assertThat(u[499]).isEqualTo(127);    // (500 - 5.995) / 989.01 * 255 = 127.37
        assertThat(u[994]).isEqualTo(254);    // 995 -> 254.997, truncated like np.uint8
    }

    @Test
    void removesSmallObjectsIn3dThenPerSlice() {
        int[] l = new int[NX * NY * NZ];
        float[] f = new float[l.length];
        box(f, 1, 0, 5, 0, 5, 0, 4);         // 100 voxels: kept (MedSAM drops fewer than 100)
        box(f, 2, 7, 10, 7, 10, 0, 8);       // 3 x 3 x 8 = 72 voxels: removed in 3D
        box(f, 3, 6, 8, 0, 5, 4, 7);         // label 3: 30 voxels, next to ...
        box(f, 4, 8, 10, 0, 5, 4, 7);        // ... label 4's 30: labels never join, both removed
        box(f, 5, 0, 10, 5, 7, 5, 6);        // 20 pixels on slice 5 (3D object of 29 with the next line)
        box(f, 5, 0, 3, 7, 10, 6, 7);        // 9 pixels on slice 6, 26-connected to the slab above
        for (int i = 0; i < l.length; i++) {
            l[i] = (int) f[i];
        }
        int[] copy = l.clone();
        assertThat(SmallObjects.remove(copy, NZ, NY, NX, 100, 10)).isEqualTo(4);
        assertThat(count(copy, 1)).isEqualTo(100);
        assertThat(count(copy, 2) + count(copy, 3) + count(copy, 4) + count(copy, 5)).isZero();
        // with a 3D threshold that keeps label 5 (29 voxels), the 9-pixel part on slice 6 goes in the 2D pass
        int[] second = l.clone();
        SmallObjects.remove(second, NZ, NY, NX, 25, 10);
        assertThat(count(second, 5)).isEqualTo(20);
        assertThat(count(second, 3)).isEqualTo(30);
    }

    @Test
    void keepsOnlyLabelledSlicesInDhwOrderWithXyzSpacing(@TempDir Path dir) throws IOException {
        float[] lab = new float[NX * NY * NZ];
        box(lab, 1, 0, 10, 0, 10, 2, 5);     // slices 2, 3, 4
        box(lab, 2, 0, 12, 0, 10, 7, 8);     // slice 7; 5 and 6 hold no label and are dropped, as MedSAM does
        NiftiPair p = pair(dir, sliceImage(), lab);
        Case c = NiftiCases.convert(p, NiftiConversion.defaults("CT"));
        assertThat(c.name()).isEqualTo("3D_CT_case01");
        assertThat(c.shape()).containsExactly(4, NY, NX);
        assertThat(c.spacing()).containsExactly(new double[] {0.8f, 0.7f, 2.5f}, org.assertj.core.data.Offset.offset(1e-6));
        // slice values -300 + 100 z, window [-160, 240] over the whole volume: z=2 -> -100 -> 38, z=7 -> 400 -> 255
        assertThat(c.slice(0).data()[0] & 0xFF).isEqualTo(38);
        assertThat(c.slice(2).data()[0] & 0xFF).isEqualTo(165);
        assertThat(c.slice(3).data()[0] & 0xFF).isEqualTo(255);
        assertThat(c.gtSlice(3).get(11 + NX * 9)).isEqualTo(2);
        assertThat(c.gtSlice(0).get(11)).isZero();
        assertThat(c.gts().isWide()).isFalse();
    }

    @Test
    void writesCasesThatCaseReaderReadsBackAsThreeDimensional(@TempDir Path dir) throws IOException {
        float[] lab = new float[NX * NY * NZ];
        box(lab, 7, 0, 12, 0, 10, 3, 6);     // a ring around the next one
        box(lab, 300, 1, 9, 2, 8, 3, 6);     // a label above 255: renumbered 2, so the file stays uint8
        NiftiPair p = pair(dir, sliceImage(), lab);
        Path out = dir.resolve("out");
        NiftiConversion mr = NiftiConversion.defaults("MR");
        Path f = NiftiCases.write(p, mr, out, false);
        assertThat(f.getFileName().toString()).isEqualTo("3D_MR_case01.npz");
        assertThat(CaseName.parse(f.getFileName().toString()).threeD()).isTrue();
        assertThat(CaseName.parse(f.getFileName().toString()).modality()).isEqualTo("MR");
        Map<String, NpyArray> raw = Npz.read(f, java.util.Set.of("imgs", "gts", "spacing"));
        assertThat(raw.get("imgs").dtype()).isEqualTo(NpyDtype.UINT8);
        assertThat(raw.get("gts").dtype()).isEqualTo(NpyDtype.UINT8);
        assertThat(raw.get("spacing").toDoubleArray()).hasSize(3);
        Case c = CaseReader.read(f);
        assertThat(c.threeD()).isTrue();
        assertThat(c.modality()).isEqualTo("MR");
        assertThat(c.shape()).containsExactly(3, NY, NX);
        // numbered 1..k in ascending order of the label map's values, one tight box each in that order
        // (x0, y0, z0, x1, y1, z1 over the kept slices), as infer labels box i as i + 1
        assertThat(c.labels()).containsExactly(1, 2);
        assertThat(c.boxes()).isDeepEqualTo(new int[][] {{0, 0, 0, 11, 9, 2}, {1, 2, 0, 8, 7, 2}});
        assertThat(c.spacing()[2]).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-6));
        // MR: slices -300..400, positive voxels 100, 200, 300, 400; zero and below -> 0
        assertThat(c.slice(0).data()[0] & 0xFF).isZero();   // z=3: 0
        assertThat(c.slice(2).data()[0] & 0xFF).isGreaterThan(0);
        assertThatThrownBy(() -> NiftiCases.write(p, mr, out, false))
                .hasMessageContaining("3D_MR_case01.npz already exists").hasMessageContaining("--overwrite");
        assertThat(NiftiCases.write(p, mr, out, true)).isEqualTo(f);
    }

    @Test
    void refusesMismatchedGridsEmptyLabelsAndMissingImagesInOneLine(@TempDir Path dir) throws IOException {
        float[] lab = new float[NX * NY * NZ];
        box(lab, 1, 0, 10, 0, 10, 2, 5);
        NiftiPair p = pair(dir, sliceImage(), lab);
        NiftiConversion ct = NiftiConversion.defaults("CT");
        Nifti.write(p.image(), new int[] {NY, NX, NZ}, new double[] {0.8, 0.7, 2.5}, sliceImage());
        assertThatThrownBy(() -> NiftiCases.convert(p, ct)).hasMessageContaining("case01_0000.nii.gz")
                .hasMessageContaining("case01_0000.nii.gz and ").hasMessageContaining("case01.nii.gz: different grids").hasMessageNotContaining("\n");
        Nifti.write(p.image(), new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 3.0}, sliceImage());
        assertThatThrownBy(() -> NiftiCases.convert(p, ct)).hasMessageContaining("spacing");

        Nifti.write(p.label(), new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 2.5}, new float[NX * NY * NZ]);
        assertThatThrownBy(() -> NiftiCases.convert(p, ct)).hasMessageStartingWith(p.label().toString())
                .hasMessageContaining("holds no label");
        float[] small = new float[NX * NY * NZ];
        box(small, 1, 0, 3, 0, 3, 0, 3); // 27 voxels
        Nifti.write(p.label(), new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 2.5}, small);
        assertThatThrownBy(() -> NiftiCases.convert(p, ct)).hasMessageStartingWith(p.label().toString())
                .hasMessageContaining("no label left after removing objects smaller than 100 voxels");
        small[5] = 1.5f;
        Nifti.write(p.label(), new int[] {NX, NY, NZ}, new double[] {0.8, 0.7, 2.5}, small);
        assertThatThrownBy(() -> NiftiCases.convert(p, ct)).hasMessageContaining("label 1.5 at voxel (x, y, z) = (5, 0, 0)");

        NiftiPair lonely = new NiftiPair(null, p.label(), "case01");
        assertThatThrownBy(() -> NiftiCases.convert(lonely, ct)).hasMessageContaining("no image for this label")
                .hasMessageContaining("case01_0000.nii.gz");
    }

    @Test
    void configRefusesPrefixesTheChallengeWouldNotReadAs3dOfTheModality() {
        assertThat(NiftiConversion.defaults("mri").modality()).isEqualTo("MR");
        assertThat(NiftiConversion.defaults("PET").prefix()).isEqualTo("3D_PET_");
        assertThatThrownBy(() -> NiftiConversion.defaults("CT").withPrefix("CT_Abd_")).hasMessageContaining("3D");
        assertThatThrownBy(() -> NiftiConversion.defaults("CT").withPrefix("3D_MR_")).hasMessageContaining("3D CT");
        assertThatThrownBy(() -> NiftiConversion.defaults("Brain")).hasMessageContaining("not one of");
        assertThatThrownBy(() -> NiftiConversion.defaults("CT").withWindow(40, 0)).hasMessageContaining("width");
    }

    @Test
    void pairsLabelsWithPlainOrNnUnetImageNames(@TempDir Path dir) throws IOException {
        Path images = Files.createDirectories(dir.resolve("i"));
        Path labels = Files.createDirectories(dir.resolve("l"));
        for (String n : new String[] {"a.nii.gz", "b_0000.nii.gz"}) {
            Files.write(images.resolve(n), new byte[1]);
        }
        for (String n : new String[] {"a.nii.gz", "b.nii.gz", "c.nii", "notes.txt"}) {
            Files.write(labels.resolve(n), new byte[1]);
        }
        var pairs = NiftiPair.find(images, labels);
        assertThat(pairs).extracting(NiftiPair::stem).containsExactly("a", "b", "c");
        assertThat(pairs.get(0).image()).isEqualTo(images.resolve("a.nii.gz"));
        assertThat(pairs.get(1).image()).isEqualTo(images.resolve("b_0000.nii.gz"));
        assertThat(pairs.get(2).image()).isNull();
    }

    @Test
    void refusesTwoLabelFilesOfOneCase(@TempDir Path dir) throws IOException {
        // c.nii and c.nii.gz would both become 3D_CT_c.npz: the second replaced the first under --overwrite
        Path images = Files.createDirectories(dir.resolve("i"));
        Path labels = Files.createDirectories(dir.resolve("l"));
        for (String n : new String[] {"c.nii", "c.nii.gz"}) {
            Files.write(labels.resolve(n), new byte[1]);
        }
        assertThatThrownBy(() -> NiftiPair.find(images, labels)).isInstanceOf(IOException.class)
                .hasMessageContaining("c.nii").hasMessageContaining("c.nii.gz").hasMessageContaining("one case");
    }

    static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    static int count(int[] l, int label) {
        int n = 0;
        for (int v : l) {
            n += v == label ? 1 : 0;
        }
        return n;
    }
}

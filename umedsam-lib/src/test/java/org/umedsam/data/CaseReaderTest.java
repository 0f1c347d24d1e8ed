package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.umedsam.io.NpyArray;
import org.umedsam.io.NpyDtype;
import org.umedsam.io.Npz;

class CaseReaderTest {
    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "challenge-metrics").toAbsolutePath().normalize();

    /** name, gts shape, sum(gts), max(gts), sum(imgs), spacing — numbers from numpy 2.4 on these files. */
    static Stream<Arguments> gts() {
        return Stream.of(
                Arguments.of("2DBox_US_01000", new int[] {107, 111}, 7167, 4, 4571164L, null),
                Arguments.of("2DBox_US_01001", new int[] {102, 147}, 13050, 4, 5757564L, null),
                Arguments.of("2DBox_US_01002", new int[] {109, 65}, 1251, 1, 2700692L, null),
                Arguments.of("2DBox_US_01003", new int[] {132, 121}, 2619, 2, 6094546L, null),
                Arguments.of("2DBox_US_01004", new int[] {131, 106}, 1200, 1, 5295803L, null),
                Arguments.of("2DBox_US_01005", new int[] {116, 113}, 1506, 1, 5024396L, null),
                Arguments.of("2DBox_US_01006", new int[] {136, 101}, 4409, 2, 5257448L, null),
                Arguments.of("2DBox_US_01007", new int[] {148, 113}, 17154, 4, 6388735L, null),
                Arguments.of("2DBox_US_01008", new int[] {121, 100}, 2603, 2, 4605897L, null),
                Arguments.of("2DBox_US_01009", new int[] {60, 101}, 4543, 4, 2324371L, null),
                Arguments.of("2DBox_US_01010", new int[] {143, 88}, 8160, 4, 4822136L, null),
                Arguments.of("2DBox_US_01011", new int[] {113, 67}, 4175, 3, 2907580L, null),
                Arguments.of("3DBox_CT_01012", new int[] {18, 68, 59}, 10106, 2, 9183442L, new double[] {1.0, 0.7, 3.0}),
                Arguments.of("3DBox_CT_01013", new int[] {20, 70, 85}, 2648, 1, 15126957L, new double[] {1.0, 0.9, 3.0}),
                Arguments.of("3DBox_CT_01014", new int[] {14, 55, 60}, 800, 1, 5889269L, new double[] {1.5, 0.9, 3.0}),
                Arguments.of("3DBox_CT_01015", new int[] {8, 68, 80}, 11927, 3, 5552528L, new double[] {0.7, 0.9, 3.0}),
                Arguments.of("3DBox_CT_01016", new int[] {16, 55, 72}, 2100, 1, 8085522L, new double[] {1.5, 0.9, 2.5}),
                Arguments.of("3DBox_CT_01017", new int[] {23, 40, 89}, 7223, 2, 10450642L, new double[] {1.5, 0.7, 2.5}));
    }

    /** name, segs shape, sum, max (numpy). */
    static Stream<Arguments> segs() {
        return Stream.of(
                Arguments.of("2DBox_US_01000", new int[] {107, 111}, 7051, 4),
                Arguments.of("2DBox_US_01001", new int[] {102, 147}, 4658, 3),
                Arguments.of("2DBox_US_01002", new int[] {109, 65}, 1369, 1),
                Arguments.of("2DBox_US_01003", new int[] {132, 121}, 2859, 2),
                Arguments.of("2DBox_US_01004", new int[] {131, 106}, 1090, 1),
                Arguments.of("2DBox_US_01005", new int[] {116, 113}, 1766, 1),
                Arguments.of("2DBox_US_01006", new int[] {136, 101}, 5066, 2),
                Arguments.of("2DBox_US_01007", new int[] {148, 113}, 8360, 3),
                Arguments.of("2DBox_US_01008", new int[] {121, 100}, 2914, 2),
                Arguments.of("2DBox_US_01009", new int[] {60, 101}, 4281, 4),
                Arguments.of("2DBox_US_01010", new int[] {143, 88}, 8988, 4),
                Arguments.of("2DBox_US_01011", new int[] {113, 67}, 4349, 3),
                Arguments.of("3DBox_CT_01012", new int[] {18, 68, 59}, 12686, 2),
                Arguments.of("3DBox_CT_01013", new int[] {20, 70, 85}, 4001, 1),
                Arguments.of("3DBox_CT_01014", new int[] {14, 55, 60}, 800, 1),
                Arguments.of("3DBox_CT_01015", new int[] {8, 68, 80}, 20548, 3),
                Arguments.of("3DBox_CT_01016", new int[] {16, 55, 72}, 3071, 1),
                Arguments.of("3DBox_CT_01017", new int[] {23, 40, 89}, 6648, 2));
    }

    static long sum(byte[] b) {
        long s = 0;
        for (byte x : b) {
            s += x & 0xFF;
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("gts")
    void readsEveryFixtureCaseLikeNumpy(String name, int[] shape, long gtSum, int maxLabel, long imgSum, double[] spacing)
            throws IOException {
        Path f = DIR.resolve("gts").resolve(name + ".npz");
        assumeTrue(Files.exists(f), "shared fixtures absent");
        Case c = CaseReader.read(f);
        assertThat(c.name()).isEqualTo(name);
        assertThat(c.threeD()).isEqualTo(shape.length == 3);
        assertThat(c.modality()).isEqualTo(shape.length == 3 ? "CT" : "US");
        assertThat(c.synthetic()).isFalse();
        assertThat(c.shape()).containsExactly(shape.length == 3 ? shape : new int[] {shape[0], shape[1], 3});
        assertThat(sum(c.gts().uint8())).isEqualTo(gtSum);
        assertThat(c.maxLabel()).isEqualTo(maxLabel);
        assertThat(sum(c.imgs())).isEqualTo(imgSum);
        if (spacing != null) {
            assertThat(c.spacing()).containsExactly(spacing);
        }
    }

    @ParameterizedTest
    @MethodSource("segs")
    void readsEveryFixturePrediction(String name, int[] shape, long segSum, int max) throws IOException {
        Path f = DIR.resolve("segs").resolve(name + ".npz");
        assumeTrue(Files.exists(f), "shared fixtures absent");
        NpyArray s = Npz.read(f, "segs");
        assertThat(s.dtype()).isEqualTo(NpyDtype.UINT8);
        assertThat(s.shape()).containsExactly(shape);
        byte[] b = s.toUint8Array();
        assertThat(sum(b)).isEqualTo(segSum);
        int m = 0;
        for (byte x : b) {
            m = Math.max(m, x & 0xFF);
        }
        assertThat(m).isEqualTo(max);
    }

    @Test
    void listsFixtureCases() throws IOException {
        assumeTrue(Files.isDirectory(DIR), "shared fixtures absent");
        var files = CaseReader.listCases(DIR.resolve("gts"));
        assertThat(files).hasSize(18);
        assertThat(files.get(0).getFileName().toString()).isEqualTo("2DBox_US_01000.npz");
        assertThatThrownBy(() -> CaseReader.listCases(DIR.resolve("nope"))).hasMessageContaining("nope");
    }

    @Test
    void roundTripsThroughCaseWriter(@TempDir Path dir) throws IOException {
        Path f = DIR.resolve("gts").resolve("3DBox_CT_01015.npz");
        assumeTrue(Files.exists(f), "shared fixtures absent");
        Case c = CaseReader.read(f);
        Case withBoxes = new Case(c.name(), c.modality(), true, false, c.shape(), c.imgs(), c.gts(),
                new int[][] {{1, 2, 3, 4, 5, 6}}, c.spacing());
        Case back = CaseReader.read(CaseWriter.write(withBoxes, dir.resolve("CT")));
        assertThat(back.imgs()).isEqualTo(c.imgs());
        assertThat(back.gts()).isEqualTo(c.gts());
        assertThat(back.spacing()).isEqualTo(c.spacing());
        assertThat(back.boxes()).isDeepEqualTo(new int[][] {{1, 2, 3, 4, 5, 6}});
        Path segs = dir.resolve("segs.npz");
        CaseWriter.writeSegs(segs, c.gts(), c.shape());
        assertThat(Npz.read(segs, "segs").toUint8Array()).isEqualTo(c.gts().uint8());
    }

    @Test
    void modalityFromNameOrFolder(@TempDir Path dir) throws IOException {
        assertThat(Modalities.of(Path.of("2DBox_US_0525.npz"))).isEqualTo("US");
        assertThat(Modalities.of(Path.of("3DBox_CT_0566.npz"))).isEqualTo("CT");
        assertThat(Modalities.of(Path.of("x", "CT_Abd_FLARE22_Tr_0001.npz"))).isEqualTo("CT");
        assertThat(Modalities.of(Path.of("2D_synthetic_Fundus_0001.npz"))).isEqualTo("Fundus");
        assertThat(Modalities.of(Path.of("data", "Microscopy", "case_0001.npz"))).isEqualTo("Microscopy");
        assertThat(Modalities.of(Path.of("data", "misc", "case_0001.npz"))).isEqualTo(Modalities.UNKNOWN);
        assertThat(Modalities.isSyntheticName("2D_synthetic_US_0001")).isTrue();
        assertThat(Modalities.dimensionsFromName("2DBox_US_0525")).isEqualTo(2);
        assertThat(Modalities.dimensionsFromName("CT_Abd_0001")).isZero();
        Path f = dir.resolve("XRay").resolve("Chest_0001.npz");
        Npz.write(f, Map.of("imgs", NpyArray.ofUint8(new byte[12], 2, 2, 3), "gts", NpyArray.ofUint8(new byte[] {0, 1, 1, 0}, 2, 2)), true);
        Case c = CaseReader.read(f);
        assertThat(c.modality()).isEqualTo("XRay");
        assertThat(c.threeD()).isFalse();
        assertThat(c.labelledSlices()).containsExactly(0);
    }

    // ---- corrupt inputs: each error names the file and the problem ----

    static Path write(Path dir, String name, Map<String, NpyArray> m) throws IOException {
        Path f = dir.resolve(name);
        Npz.write(f, m, true);
        return f;
    }

    @Test
    void missingImgsKey(@TempDir Path dir) throws IOException {
        Path f = write(dir, "2DBox_US_0001.npz", Map.of("gts", NpyArray.ofUint8(new byte[4], 2, 2)));
        assertThatThrownBy(() -> CaseReader.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("2DBox_US_0001.npz").hasMessageContaining("missing key 'imgs'").hasMessageContaining("[gts]");
    }

    @Test
    void wrongKeyInsteadOfGts(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[12], 2, 2, 3));
        m.put("labels", NpyArray.ofUint8(new byte[4], 2, 2));
        Path f = write(dir, "2DBox_US_0002.npz", m);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageContaining("2DBox_US_0002.npz")
                .hasMessageContaining("missing key 'gts' or 'boxes'").hasMessageContaining("labels");
    }

    @Test
    void mismatchedShapes(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[4 * 5 * 6], 4, 5, 6));
        m.put("gts", NpyArray.ofUint8(new byte[4 * 5 * 5], 4, 5, 5));
        Path f = write(dir, "3DBox_CT_0003.npz", m);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageContaining("3DBox_CT_0003.npz")
                .hasMessageContaining("'gts' has shape [4, 5, 5]").hasMessageContaining("needs [4, 5, 6]");
    }

    @Test
    void badImageShape(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[2 * 3 * 4 * 3], 2, 3, 4, 3));
        m.put("gts", NpyArray.ofUint8(new byte[6], 2, 3));
        Path f = write(dir, "2DBox_US_0004.npz", m);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageContaining("2DBox_US_0004.npz")
                .hasMessageContaining("'imgs' has shape [2, 3, 4, 3]").hasMessageContaining("[H, W, 3]");
    }

    @Test
    void badBoxShape(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[2 * 3 * 4], 2, 3, 4));
        m.put("boxes", NpyArray.ofInt64(new long[8], 2, 4));
        Path f = write(dir, "3DBox_CT_0005.npz", m);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageContaining("3DBox_CT_0005.npz")
                .hasMessageContaining("'boxes' has shape [2, 4], expected [N, 6]");
    }

    @Test
    void imagesOutside0To255(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofInt16(new short[] {-1024, 0, 200, 3071, 5, 6, 7, 8}, 2, 2, 2));
        m.put("gts", NpyArray.ofUint8(new byte[8], 2, 2, 2));
        Path f = write(dir, "3DBox_CT_0006.npz", m);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageContaining("3DBox_CT_0006.npz")
                .hasMessageContaining("'imgs' (int16) holds values outside 0..255").hasMessageContaining("min -1024");
    }

    @Test
    void int16ImagesInRangeAreAccepted(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofInt16(new short[] {0, 255, 200, 3, 5, 6, 7, 8}, 2, 2, 2));
        m.put("gts", NpyArray.ofUint8(new byte[] {0, 1, 0, 0, 0, 0, 0, 2}, 2, 2, 2));
        Case c = CaseReader.read(write(dir, "3DBox_CT_0007.npz", m));
        assertThat(c.imgs()[1] & 0xFF).isEqualTo(255);
        assertThat(c.labels()).containsExactly(1, 2);
        assertThat(c.labelledSlices()).containsExactly(0, 1);
        assertThat(c.spacing()).containsExactly(1, 1, 1);
    }

    @Test
    void uint16LabelsOfMoreThan255ObjectsAreReadAndWrittenBackAsUint16(@TempDir Path dir) throws IOException {
        // 300 one-pixel objects in a 20 x 15 image, labels 1..300 (a microscopy case of the challenge's kind)
        short[] labels = new short[300];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (short) (i + 1);
        }
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[300 * 3], 15, 20, 3));
        m.put("gts", NpyArray.ofUint16(labels, 15, 20));
        Case c = CaseReader.read(write(dir, "2DBox_Microscope_0001.npz", m));
        assertThat(c.gts().isWide()).isTrue();
        assertThat(c.labels()).hasSize(300).startsWith(1, 2).endsWith(299, 300);
        assertThat(c.maxLabel()).isEqualTo(300);
        assertThat(c.gtSlice(0).get(299)).isEqualTo(300);
        Path back = CaseWriter.write(c, Files.createDirectories(dir.resolve("back")));
        NpyArray g = Npz.read(back, "gts");
        assertThat(g.dtype()).isEqualTo(NpyDtype.UINT16);
        assertThat(g.toIntArray()).startsWith(1, 2, 3).endsWith(299, 300);
        // the same labels in int32 are held in two bytes too; 1..255 in uint16 are held and written in bytes
        m.put("gts", NpyArray.ofInt32(java.util.stream.IntStream.rangeClosed(1, 300).toArray(), 15, 20));
        assertThat(CaseReader.read(write(dir, "2DBox_Microscope_0002.npz", m)).maxLabel()).isEqualTo(300);
        short[] small = new short[300];
        small[7] = 255;
        m.put("gts", NpyArray.ofUint16(small, 15, 20));
        Case narrow = CaseReader.read(write(dir, "2DBox_Microscope_0003.npz", m));
        assertThat(narrow.gts().isWide()).isFalse();
        assertThat(Npz.read(CaseWriter.write(narrow, dir.resolve("back")), "gts").dtype()).isEqualTo(NpyDtype.UINT8);
    }

    @Test
    void labelsBeyondUint16AreRefusedByName(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[4 * 3], 2, 2, 3));
        m.put("gts", NpyArray.ofInt32(new int[] {0, 1, 70000, 2}, 2, 2));
        Path f = write(dir, "2DBox_Microscope_0004.npz", m);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageStartingWith(f.toString())
                .hasMessageContaining("'gts' (int32) value 70000 at index 2 is outside the labels 0..65535");
    }

    @Test
    void truncatedZip(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        byte[] img = new byte[64 * 64 * 3];
        new java.util.Random(1).nextBytes(img);
        m.put("imgs", NpyArray.ofUint8(img, 64, 64, 3));
        m.put("gts", NpyArray.ofUint8(new byte[64 * 64], 64, 64));
        Path f = write(dir, "2DBox_US_0008.npz", m);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length * 2 / 3));
        assertThatThrownBy(() -> CaseReader.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("2DBox_US_0008.npz").hasMessageContaining("truncated");
    }

    @Test
    void objectArrayInCase() throws Exception {
        Path f = Path.of(CaseReaderTest.class.getResource("/npy/obj_in_npz.npz").toURI());
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageContaining("obj_in_npz.npz")
                .hasMessageContaining("object arrays");
    }
}

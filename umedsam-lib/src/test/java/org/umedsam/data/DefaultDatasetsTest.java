package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultDatasetsTest {
    @Test
    void buildsTinyProfileReadablyAndReusesIt(@TempDir Path root) throws IOException {
        assumeTrue(RealBrainCases.available(RealBrainCases.TEMPLATES), "mricron-data not installed");
        DatasetManifest m = DefaultDatasets.ensure(root, Profile.tiny());
        assertThat(m.sources()).hasSize(6);
        var counts = m.counts();
        // per atlas and axis 10 slices: 7 train, 1 validation, 2 test (slices without a structure are skipped)
        assertThat(counts.get("train").get("MR 2D")).isBetween(36, 42);
        assertThat(counts.get("validation").get("MR 2D")).isBetween(4, 6);
        assertThat(counts.get("test").get("MR 2D")).isBetween(10, 12);
        assertThat(counts.get("test").get("MR 3D")).isEqualTo(2);
        assertThat(m.splitRule()).contains("slabs").contains("gap");
        // slab split: along each atlas' axis, slices of two different splits are more than the gap apart
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("2DBox_MR_(colin27|colin27bet|inia19)_(ax|cor|sag)(\\d+)\\.npz");
        java.util.Map<String, java.util.List<int[]>> byAxis = new java.util.HashMap<>();
        for (DatasetManifest.Entry e : m.cases()) {
            var mt = name.matcher(Path.of(e.file()).getFileName().toString());
            if (mt.matches()) {
                String atlas = mt.group(1).startsWith("colin") ? "colin27" : "inia19";
                byAxis.computeIfAbsent(atlas + mt.group(2), k -> new java.util.ArrayList<>())
                        .add(new int[] {Integer.parseInt(mt.group(3)), DatasetManifest.SPLITS.indexOf(e.split())});
            }
        }
        assertThat(byAxis).hasSize(6);
        for (var g : byAxis.entrySet()) {
            int gapVoxels = g.getKey().startsWith("colin") ? 4 : 8; // 4 mm at 1 mm and 0.5 mm voxels
            for (int[] a : g.getValue()) {
                for (int[] b : g.getValue()) {
                    if (a[1] != b[1]) {
                        assertThat(Math.abs(a[0] - b[0])).as(g.getKey() + " " + a[0] + " vs " + b[0]).isGreaterThan(gapVoxels);
                    }
                }
            }
        }
        assertThat(counts.get("train").get("US 2D (synthetic)")).isEqualTo(3);
        assertThat(counts.get("test").get("CT 3D (synthetic)")).isEqualTo(1);
        for (DatasetManifest.Entry e : m.cases()) {
            Case c = CaseReader.read(root.resolve(e.file()));
            assertThat(c.modality()).isEqualTo(e.modality());
            assertThat(c.synthetic()).isEqualTo(e.synthetic());
            assertThat(c.threeD()).isEqualTo(e.threeD());
            // labels are 1..k (challenge convention); the manifest names the structure of each
            assertThat(e.labels()).as(e.file()).isNotEmpty().isSorted().doesNotHaveDuplicates();
            assertThat(c.labels()).as(e.file()).containsExactly(
                    java.util.stream.IntStream.rangeClosed(1, e.labels().length).toArray());
            assertThat(c.hasBoxes()).isEqualTo(!e.split().equals("train"));
            if (c.hasBoxes()) {
                assertThat(c.boxes()).hasNumberOfRows(c.labels().length);
            }
        }
        Case slice = CaseReader.read(root.resolve(m.cases().get(0).file()));
        assertThat(slice.shape()).containsExactly(217, 181, 3); // colin27 axial: y rows, x columns
        long before = Files.getLastModifiedTime(root.resolve("manifest.json")).toMillis();
        DatasetManifest again = DefaultDatasets.ensure(root, Profile.tiny());
        assertThat(again.cases()).hasSize(m.cases().size());
        assertThat(Files.getLastModifiedTime(root.resolve("manifest.json")).toMillis()).isEqualTo(before);
        assertThat(m.files(root, "test")).allMatch(Files::isRegularFile);
        assertThat(m.summary()).contains("MR 2D").contains("Fundus 2D (synthetic)").contains("total");
    }

    @Test
    void relabelsToConsecutiveLabelsKeepingTheirOrder() {
        byte[] gts = {0, 3, 3, 7, 0, 9, 9, 9, 0};
        Case c = new Case("2DBox_MR_x", "MR", false, false, new int[]{3, 3, 3}, new byte[27], gts, null, null);
        Case r = ChallengeLabels.consecutive(c);
        assertThat(r.gts().uint8()).containsExactly(0, 1, 1, 2, 0, 3, 3, 3, 0);
        assertThat(ChallengeLabels.withTightBoxes(r).boxes()).hasNumberOfRows(3);
        assertThat(ChallengeLabels.consecutive(r)).isSameAs(r);
    }

    @Test
    void withoutTemplatesBuildsSyntheticOnly(@TempDir Path root) throws IOException {
        Profile p = new Profile("synthetic-only", 0, 0, 4, 2, true);
        DatasetManifest m = DefaultDatasets.ensure(root, p, root.resolve("no-templates-here"));
        assertThat(m.sources()).isEmpty();
        assertThat(m.cases()).hasSize(16).allMatch(DatasetManifest.Entry::synthetic);
        assertThat(DatasetManifest.read(root.resolve("manifest.json")).cases()).hasSize(16);
    }

    @Test
    void groupsAtlasNames() {
        assertThat(BrainStructures.groupOf("Frontal_Sup_Orb_L")).isEqualTo(1);
        assertThat(BrainStructures.groupOf("Precuneus_R")).isEqualTo(4);
        assertThat(BrainStructures.groupOf("Cuneus_R")).isEqualTo(8);
        assertThat(BrainStructures.groupOf("Fusiform_L")).isEqualTo(5);
        assertThat(BrainStructures.groupOf("ParaHippocampal_R")).isEqualTo(10);
        assertThat(BrainStructures.groupOf("Thalamus_L")).isEqualTo(11);
        assertThat(BrainStructures.groupOf("Cerebelum_Crus1_R")).isEqualTo(14);
        assertThat(BrainStructures.groupOf("Vermis_4_5")).isEqualTo(15);
        assertThat(BrainStructures.groupOf("Paracentral_Lobule_L")).isEqualTo(1);
        assertThat(BrainStructures.groupOf("l_superior_temporal_gyrus")).isEqualTo(5);
        assertThat(BrainStructures.groupOf("r_occipital_gyrus_(macaque)")).isEqualTo(8);
        assertThat(BrainStructures.groupOf("r_frontal_white_matter")).isZero();
        assertThat(BrainStructures.groupOf("l_temporal_horn_of_the_lateral_ventricle")).isZero();
        assertThat(BrainStructures.groupOf("l_cuneate_nucleus_of_the_medulla")).isZero();
        assertThat(BrainStructures.groupOf("r_superior_semilunar_lobule")).isEqualTo(14);
        assertThat(BrainStructures.groupOf("l_caudate_nucleus")).isEqualTo(11);
        // every AAL label is grouped
        assumeTrue(RealBrainCases.available(RealBrainCases.TEMPLATES), "mricron-data not installed");
        int[] lut = BrainStructures.lookup(readAal(), 116);
        for (int v = 1; v <= 116; v++) {
            assertThat(lut[v]).as("AAL label " + v).isBetween(1, 15);
        }
    }

    static String readAal() {
        try {
            return Files.readString(RealBrainCases.TEMPLATES.resolve("aal.nii.txt"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void syntheticCasesAreDeterministicAndLabelled() {
        for (String m : SyntheticModalities.MODALITIES) {
            Case a = SyntheticModalities.generate(m, 3);
            Case b = SyntheticModalities.generate(m, 3);
            Case other = SyntheticModalities.generate(m, 4);
            assertThat(a.imgs()).isEqualTo(b.imgs());
            assertThat(a.gts()).isEqualTo(b.gts());
            assertThat(a.imgs()).isNotEqualTo(other.imgs());
            assertThat(a.synthetic()).isTrue();
            assertThat(a.modality()).isEqualTo(m);
            assertThat(Modalities.fromName(a.name())).isEqualTo(m);
            assertThat(a.labels()).as(m).isNotEmpty();
            assertThat(a.threeD()).isEqualTo(List.of("CT", "PET").contains(m));
        }
        // colour where the modality is colour, grey (equal channels) otherwise
        assertThat(isGrey(SyntheticModalities.generate("US", 1))).isTrue();
        assertThat(isGrey(SyntheticModalities.generate("Fundus", 1))).isFalse();
        assertThat(SyntheticModalities.generate("Microscopy", 1).labels().length).isGreaterThanOrEqualTo(6);
    }

    static boolean isGrey(Case c) {
        byte[] d = c.imgs();
        for (int i = 0; i < d.length; i += 3) {
            if (d[i] != d[i + 1] || d[i] != d[i + 2]) {
                return false;
            }
        }
        return true;
    }
}

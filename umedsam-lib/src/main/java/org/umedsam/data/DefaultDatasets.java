package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The toolkit's default data, built on a fresh machine without downloads: real MR cases from
 * Debian's {@code mricron-data} ({@link RealBrainCases}) plus synthetic cases for eight other
 * modalities ({@link SyntheticModalities}), written in the challenge's {@code .npz} layout under
 * {@code dataRoot/{train,validation,test}/} with {@code dataRoot/manifest.json}.
 *
 * <p><b>Split</b> ({@link #SPLIT_RULE}, also written into the manifest): real MR by contiguous
 * slabs with a gap between splits ({@link RealBrainCases}); synthetic cases, which are independent
 * draws, interleaved: of every five consecutive cases the 3rd goes to validation, the 5th to test
 * and the rest to training (60/20/20). Training files carry {@code imgs}, {@code gts}
 * (and {@code spacing} for 3D), like the challenge's training data; validation and test files also
 * carry {@code boxes}, one per label in ascending label order (2D {@code [x0,y0,x1,y1]}, 3D
 * {@code [x0,y0,z0,x1,y1,z1]}, tight), like the challenge's test inputs, and keep {@code gts} for
 * scoring.
 *
 * <p><b>Labels</b> are consecutive in every case ({@code 1..k}, in the order of the structures'
 * ids), as in the challenge's cases: its inference writes box {@code i} as label {@code i + 1} and
 * its scoring takes classes {@code 1..max(gts)}, so a slice holding, say, structures 3, 7 and 9
 * must store them as 1, 2 and 3 (else a class missing from both masks scores NaN and boxes and
 * labels do not correspond). The manifest's {@code labels} say which structure each label is.
 *
 * <p>Entry point: {@link #ensure(Path, Profile)}.
 */
public final class DefaultDatasets {
    /** Bump when the output changes, so old data is rebuilt. */
    public static final int VERSION = 3;

    /** How the split was made, as the manifest states it. */
    public static final String SPLIT_RULE = "real MR (colin27, inia19): per atlas and slicing axis (axial, coronal,"
            + " sagittal), the labelled range is cut into contiguous slabs, train 0-40%, validation 40-50%, test 50-70%,"
            + " train 70-100%, with a " + RealBrainCases.GAP_MM + " mm gap at each boundary between two splits; 3D crops"
            + " lie inside the axial slabs. Slabs are per axis, so a test slice crosses training slices of other axes of"
            + " the same subject: the split separates slice positions, not subjects. Synthetic cases: each generated"
            + " independently from (modality, index); of every five consecutive indices the 3rd is validation, the 5th"
            + " test, the rest train.";

    private DefaultDatasets() {
    }

    /**
     * Returns the manifest of the data under {@code dataRoot}, building it first unless a manifest
     * with the same version, profile and sources exists and all its files are present. Prints the
     * counts per split and modality when it builds. Real cases are skipped (and the manifest says
     * so by listing no sources) when mricron-data is not installed.
     */
    public static DatasetManifest ensure(Path dataRoot, Profile profile) throws IOException {
        return ensure(dataRoot, profile, RealBrainCases.TEMPLATES);
    }

    /** {@link #ensure(Path, Profile)} with another templates folder. */
    public static DatasetManifest ensure(Path dataRoot, Profile profile, Path templates) throws IOException {
        Path manifestFile = dataRoot.resolve("manifest.json");
        Map<String, Long> sources = sources(profile, templates);
        if (Files.exists(manifestFile)) {
            try {
                DatasetManifest old = DatasetManifest.read(manifestFile);
                if (old.version() == VERSION && old.profile().equals(profile) && old.sources().equals(sources)
                        && old.cases().stream().allMatch(e -> Files.isRegularFile(dataRoot.resolve(e.file())))) {
                    return old;
                }
            } catch (IOException e) {
                // unreadable manifest: rebuild
            }
        }
        DatasetManifest m = build(dataRoot, profile, templates);
        System.out.println("Built default dataset '" + profile.name() + "' in " + dataRoot + " ("
                + String.format("%.1f", m.buildSeconds()) + " s):");
        System.out.print(m.summary());
        return m;
    }

    private static Map<String, Long> sources(Profile profile, Path templates) throws IOException {
        Map<String, Long> s = new TreeMap<>();
        if (profile.real() && RealBrainCases.available(templates)) {
            for (String f : RealBrainCases.FILES) {
                Path p = templates.resolve(f);
                s.put(p.toString(), Files.size(p));
            }
        }
        return s;
    }

    /**
     * The conventional data root, {@code <checkout>/data} (git-ignored), the checkout as
     * {@link org.umedsam.io.Checkout} finds it (upwards from the working directory, else from this code's
     * location), so the CLI, tests and notebooks started from a module folder, or the jar started from
     * elsewhere, all find the same data; the working directory's {@code data} when there is no checkout.
     */
    public static Path defaultRoot() {
        return org.umedsam.io.Checkout.rootOrWorkingDirectory().resolve("data");
    }

    /** Builds unconditionally (replacing earlier case files) and writes the manifest. */
    public static DatasetManifest build(Path dataRoot, Profile profile, Path templates) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dataRoot);
        for (String split : DatasetManifest.SPLITS) {
            Path dir = dataRoot.resolve(split);
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".npz")).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
        Map<String, Long> sources = sources(profile, templates);
        Map<String, List<Case>> bySource = new LinkedHashMap<>();
        Map<String, String> realSplit = new java.util.HashMap<>();
        if (!sources.isEmpty()) {
            for (RealBrainCases.SplitCase sc : RealBrainCases.build(templates, profile)) {
                Case c = sc.c();
                realSplit.put(c.name(), sc.split());
                String origin = c.name().contains("inia19") ? "inia19" : "colin27";
                bySource.computeIfAbsent(origin + (c.threeD() ? " 3D" : " 2D"), k -> new ArrayList<>()).add(c);
            }
        } else if (profile.real()) {
            System.out.println("mricron-data not found in " + templates + ": building synthetic cases only"
                    + " (install it with: apt-get install -y mricron-data)");
        }
        for (String m : SyntheticModalities.MODALITIES) {
            List<Case> l = new ArrayList<>();
            for (int k = 1; k <= profile.syntheticPerModality(); k++) {
                l.add(SyntheticModalities.generate(m, k));
            }
            bySource.put("synthetic " + m, l);
        }
        List<DatasetManifest.Entry> entries = new ArrayList<>();
        for (var src : bySource.entrySet()) {
            List<Case> list = src.getValue();
            for (int k = 0; k < list.size(); k++) {
                Case original = list.get(k);
                String split = realSplit.getOrDefault(original.name(), splitOf(k));
                Case c = ChallengeLabels.consecutive(original);
                Case out = split.equals("train") ? c : ChallengeLabels.withTightBoxes(c);
                Path file = CaseWriter.write(out, dataRoot.resolve(split));
                entries.add(new DatasetManifest.Entry(split + "/" + file.getFileName(), split, c.modality(), c.threeD(),
                        c.synthetic(), src.getKey().split(" ")[0].equals("synthetic") ? "synthetic" : src.getKey().split(" ")[0],
                        c.shape(), original.labels()));
            }
        }
        Map<Integer, String> names = new TreeMap<>();
        for (int i = 0; i < BrainStructures.NAMES.size(); i++) {
            names.put(i + 1, BrainStructures.NAMES.get(i));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        DatasetManifest m = new DatasetManifest(VERSION, profile, sources, names, entries, seconds, SPLIT_RULE);
        m.write(dataRoot.resolve("manifest.json"));
        return m;
    }

    /** The fixed split of the {@code k}-th case (0-based) of a source: 60/20/20 interleaved. */
    public static String splitOf(int k) {
        return switch (k % 5) {
            case 2 -> "validation";
            case 4 -> "test";
            default -> "train";
        };
    }
}

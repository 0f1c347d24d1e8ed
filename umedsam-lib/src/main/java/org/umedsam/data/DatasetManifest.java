package org.umedsam.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.umedsam.io.AtomicFiles;

/**
 * What {@link DefaultDatasets} built: every case file with its split, modality and origin, the
 * counts per split and modality, and what it was built from (so a matching manifest means the
 * data can be reused). Stored as {@code manifest.json} in the data root.
 *
 * @param version builder version; a different version forces a rebuild
 * @param profile the profile built
 * @param sources real source files with their sizes (empty when built without them)
 * @param labelNames structure names of the real cases by label id
 * @param cases the cases, paths relative to the data root
 * @param buildSeconds wall-clock seconds the build took
 * @param splitRule how the cases were split into train, validation and test
 */
public record DatasetManifest(int version, Profile profile, Map<String, Long> sources, Map<Integer, String> labelNames,
                              List<Entry> cases, double buildSeconds, String splitRule) {
    /** The three splits, in order. */
    public static final List<String> SPLITS = List.of("train", "validation", "test");

    /**
     * One case.
     *
     * @param file path relative to the data root, {@code /}-separated
     * @param split train, validation or test
     * @param modality canonical modality
     * @param threeD volume or 2D
     * @param synthetic generated rather than from a real scan
     * @param origin source (for example {@code colin27}, {@code inia19}, {@code synthetic})
     * @param shape imgs shape
     * @param labels the structure id (a key of {@code labelNames} for real data) of each of the case's
     *               labels 1..k, in order: the case stores structure {@code labels[i]} as label {@code i + 1}
     */
    public record Entry(String file, String split, String modality, boolean threeD, boolean synthetic, String origin,
                        int[] shape, int[] labels) {
    }

    /** Number of cases per split and modality ({@code split -> modality -> n}); synthetic modalities get a {@code (synthetic)} suffix. */
    public Map<String, Map<String, Integer>> counts() {
        Map<String, Map<String, Integer>> m = new TreeMap<>((a, b) -> Integer.compare(SPLITS.indexOf(a), SPLITS.indexOf(b)));
        for (String s : SPLITS) {
            m.put(s, new TreeMap<>());
        }
        for (Entry e : cases) {
            String key = e.modality() + (e.threeD() ? " 3D" : " 2D") + (e.synthetic() ? " (synthetic)" : "");
            m.computeIfAbsent(e.split(), k -> new TreeMap<>()).merge(key, 1, Integer::sum);
        }
        return m;
    }

    /** Case files of a split, resolved against {@code root}. */
    public List<Path> files(Path root, String split) {
        List<Path> out = new ArrayList<>();
        for (Entry e : cases) {
            if (e.split().equals(split)) {
                out.add(root.resolve(e.file()));
            }
        }
        return out;
    }

    /** A printable table of the counts. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-28s %6s %11s %6s%n", "modality", "train", "validation", "test"));
        Map<String, int[]> rows = new TreeMap<>();
        for (var s : counts().entrySet()) {
            int col = SPLITS.indexOf(s.getKey());
            for (var m : s.getValue().entrySet()) {
                rows.computeIfAbsent(m.getKey(), k -> new int[3])[col] = m.getValue();
            }
        }
        int[] total = new int[3];
        for (var r : rows.entrySet()) {
            sb.append(String.format("%-28s %6d %11d %6d%n", r.getKey(), r.getValue()[0], r.getValue()[1], r.getValue()[2]));
            for (int i = 0; i < 3; i++) {
                total[i] += r.getValue()[i];
            }
        }
        sb.append(String.format("%-28s %6d %11d %6d%n", "total", total[0], total[1], total[2]));
        return sb.toString();
    }

    private static Gson gson() {
        return new GsonBuilder().setPrettyPrinting().create();
    }

    /** Writes the manifest (plus the counts, for readers of the JSON) atomically. */
    public void write(Path file) throws IOException {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("manifest", this);
        json.put("counts", counts());
        AtomicFiles.writeString(file, gson().toJson(json));
    }

    /** Reads a manifest written by {@link #write}. */
    public static DatasetManifest read(Path file) throws IOException {
        try {
            var tree = com.google.gson.JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            DatasetManifest m = gson().fromJson(tree.get("manifest"), DatasetManifest.class);
            if (m == null || m.cases() == null || m.profile() == null) {
                throw new IOException(file + ": not a dataset manifest");
            }
            return m;
        } catch (RuntimeException e) {
            throw new IOException(file + ": unreadable dataset manifest: " + e.getMessage(), e);
        }
    }
}

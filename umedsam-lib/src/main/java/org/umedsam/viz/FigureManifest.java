package org.umedsam.viz;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.umedsam.io.AtomicFiles;

/**
 * The record, kept in the output folder as {@value #FILE}, of which figure and table files
 * {@link PaperFigures} wrote there and from which runs folder (the profile), so one folder never
 * mixes the figures of two profiles:
 * <pre>
 * {"profile": "quick", "runs": "../runs/quick", "files": ["02-objective.png", ...]}
 * </pre>
 * The runs folder is recorded relative to the output folder, so a checkout's committed figures
 * and its {@code runs/} stay one pair wherever the checkout lies (an absolute path made every other
 * clone's first notebook delete the committed figures that no notebook rewrites); a manifest that
 * recorded an absolute path is read as one. The first file written from another runs folder
 * deletes every file the manifest lists (the old profile's figures) before the new list starts; {@link #prune} deletes the files of this family
 * that a complete regeneration did not rewrite. The family is the file names PaperFigures uses,
 * {@code 02-} to {@code 07-} ({@link #FAMILY}); other files in the folder are never touched.
 */
final class FigureManifest {
    /** Name of the manifest file in the output folder. */
    static final String FILE = "figures-manifest.json";
    /** File names PaperFigures writes (notebooks 02 to 07). */
    static final Pattern FAMILY = Pattern.compile("0[2-7]-[^/\\\\]+\\.(png|svg|md|tex|csv)");

    private final Path dir;
    private final String profile;
    /** The runs folder, absolute and normalised. */
    private final Path runsDir;
    /** As the manifest records it: relative to {@link #dir}. */
    private final String runs;
    private final TreeSet<String> files = new TreeSet<>();
    private boolean claimed;
    private boolean hadManifest;

    FigureManifest(Path dir, Path runsDir) {
        this.dir = dir;
        Path abs = runsDir.toAbsolutePath().normalize();
        this.runsDir = abs;
        this.runs = relativeTo(dir.toAbsolutePath().normalize(), abs);
        this.profile = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }

    String profile() {
        return profile;
    }

    /**
     * Takes the folder for this runs folder before a first write: reads the manifest and, when it
     * names another runs folder, deletes the files it lists.
     */
    void claim() throws IOException {
        if (claimed) {
            return;
        }
        Path f = dir.resolve(FILE);
        if (Files.isRegularFile(f)) {
            hadManifest = true;
            JsonObject o;
            try {
                JsonElement e = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8));
                o = e.getAsJsonObject();
            } catch (RuntimeException e) {
                throw new IOException(f + ": malformed figure manifest: " + e.getMessage(), e);
            }
            List<String> listed = new ArrayList<>();
            if (o.has("files") && o.get("files").isJsonArray()) {
                for (JsonElement e : o.getAsJsonArray("files")) {
                    listed.add(e.getAsString());
                }
            }
            String oldRuns = o.has("runs") ? o.get("runs").getAsString() : "";
            if (!oldRuns.isEmpty() && sameFolder(oldRuns)) {
                files.addAll(listed);
            } else {
                for (String name : listed) {
                    delete(name);
                }
            }
        }
        claimed = true;
    }

    /** Records written files (their names in the folder) and rewrites the manifest. */
    void record(List<Path> written) throws IOException {
        claim();
        for (Path p : written) {
            files.add(p.getFileName().toString());
        }
        save();
    }

    /**
     * After a complete regeneration: deletes the files of the family that are listed but not in
     * {@code kept}, and, when the folder had no manifest before (figures from before manifests),
     * every family file not in {@code kept}.
     *
     * @return names deleted
     */
    List<String> prune(java.util.Set<String> kept) throws IOException {
        claim();
        List<String> gone = new ArrayList<>();
        TreeSet<String> candidates = new TreeSet<>(files);
        if (!hadManifest && Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> FAMILY.matcher(n).matches()).forEach(candidates::add);
            }
        }
        for (String name : candidates) {
            if (!kept.contains(name) && delete(name)) {
                gone.add(name);
            }
        }
        files.retainAll(kept);
        files.addAll(kept);
        save();
        return gone;
    }

    /** {@code target} relative to {@code base} with '/' separators, or absolute when it has no relative path (another drive). */
    static String relativeTo(Path base, Path target) {
        try {
            String r = base.relativize(target).toString().replace(java.io.File.separatorChar, '/');
            return r.isEmpty() ? "." : r;
        } catch (IllegalArgumentException e) {
            return target.toString();
        }
    }

    /** Whether a recorded runs folder (relative to {@link #dir}, or absolute as older manifests wrote it) is this one. */
    private boolean sameFolder(String recorded) {
        try {
            return dir.toAbsolutePath().normalize().resolve(recorded).normalize().equals(runsDir);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private boolean delete(String name) throws IOException {
        // only plain names of this family, so a hand-edited manifest cannot delete anything else
        if (!FAMILY.matcher(name).matches()) {
            return false;
        }
        return Files.deleteIfExists(dir.resolve(name));
    }

    private void save() throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("profile", profile);
        o.addProperty("runs", runs);
        JsonArray a = new JsonArray();
        files.forEach(a::add);
        o.add("files", a);
        AtomicFiles.writeString(dir.resolve(FILE), new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
    }
}

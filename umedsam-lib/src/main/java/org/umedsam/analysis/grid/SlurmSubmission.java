package org.umedsam.analysis.grid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The jobs of one submission of a grid, appended to {@code <runs>/<profile>/.grid/slurm/submissions.tsv}
 * (one line each: time, prepare job, array job, finish job, array indices; "-" for a job not submitted).
 *
 * @param submitted when
 * @param prepare   the prepare job id, "" when the data and warm start were there already
 * @param array     the array job id, "" when every run was finished
 * @param finish    the finish job id
 * @param indices   the array's run indices
 */
public record SlurmSubmission(Instant submitted, String prepare, String array, String finish, List<Integer> indices) {
    static final String FILE = "submissions.tsv";

    public SlurmSubmission {
        indices = List.copyOf(indices);
    }

    /** Every job id of this submission. */
    public List<String> jobIds() {
        List<String> ids = new ArrayList<>();
        for (String id : List.of(prepare, array, finish)) {
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    void append(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        String line = String.join("\t", submitted.toString(), dash(prepare), dash(array), dash(finish),
                indices.isEmpty() ? "-" : String.join(",", indices.stream().map(String::valueOf).toList())) + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The last submission recorded in {@code dir}, or null when there is none. */
    static SlurmSubmission last(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return null;
        }
        String last = lines.get(lines.size() - 1);
        String[] f = last.split("\t");
        try {
            List<Integer> idx = f[4].equals("-") ? List.of()
                    : java.util.Arrays.stream(f[4].split(",")).map(Integer::valueOf).toList();
            return new SlurmSubmission(Instant.parse(f[0]), undash(f[1]), undash(f[2]), undash(f[3]), idx);
        } catch (RuntimeException e) {
            throw new IOException(file + ": line " + lines.size() + " is not time, prepare, array, finish, indices: '"
                    + last + "'", e);
        }
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    private static String undash(String s) {
        return s.equals("-") ? "" : s;
    }
}

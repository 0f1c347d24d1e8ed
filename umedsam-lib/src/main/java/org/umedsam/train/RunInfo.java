package org.umedsam.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.umedsam.io.AtomicFiles;
import org.umedsam.model.VectorSupport;

/**
 * {@code run.json}: how and where a run was made (run name, seed, model preset, git commit if
 * available, start time, Java and ND4J versions, processors, the CPU engine's kernel set, and the time and kernel
 * set of every resume).
 */
public final class RunInfo {
    private RunInfo() {
    }

    public static void writeNew(Path file, TrainConfig config, String runName) throws IOException {
        writeNew(file, config, runName, java.util.List.of(), 0);
    }

    /**
     * Writes a new {@code run.json}; {@code skippedCases} ("file: problem", from
     * {@code train --skip-bad-cases}) are counted ({@code skipped_cases}) and listed
     * ({@code skipped_case_problems}); {@code validationSamples} ({@code validation_samples}) is how many
     * samples each epoch's validation pass scores (0 without validation; the DSC leaves out those whose Dice is
     * undefined), so a figure of the validation values can say what they average over.
     */
    public static void writeNew(Path file, TrainConfig config, String runName, java.util.List<String> skippedCases,
                                int validationSamples) throws IOException {
        writeNew(file, config, runName, skippedCases, validationSamples, null);
    }

    /**
     * As {@link #writeNew(Path, TrainConfig, String, java.util.List, int)}, recording the folder of cases the run
     * trains on ({@code data}, absolute; left out when null) so that a resume can use the same cases.
     */
    public static void writeNew(Path file, TrainConfig config, String runName, java.util.List<String> skippedCases,
                                int validationSamples, Path dataDir) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("run_name", runName);
        o.addProperty("config_name", config.name());
        o.addProperty("seed", config.seed());
        o.addProperty("model_preset", config.modelPreset());
        o.addProperty("git_commit", gitCommit());
        o.addProperty("started", Instant.now().toString());
        if (dataDir != null) {
            o.addProperty(DATA, dataDir.toAbsolutePath().normalize().toString());
        }
        o.addProperty("java_version", System.getProperty("java.version"));
        o.addProperty("java_vendor", System.getProperty("java.vendor"));
        o.addProperty("nd4j_version", nd4jVersion());
        o.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        o.addProperty("available_processors", Runtime.getRuntime().availableProcessors());
        o.addProperty("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", ""));
        // the CPU engine's kernels round differently: a bit-for-bit resume needs the same set
        o.addProperty("cpu_kernels", VectorSupport.describe());
        o.add("resumed", new JsonArray());
        o.addProperty("skipped_cases", skippedCases.size());
        JsonArray skipped = new JsonArray();
        skippedCases.forEach(skipped::add);
        o.add("skipped_case_problems", skipped);
        o.addProperty("validation_samples", validationSamples);
        AtomicFiles.writeString(file, Checkpoint.GSON.toJson(o) + "\n");
    }

    /** {@code run.json}'s key of the folder of cases the run trains on. */
    public static final String DATA = "data";

    /**
     * The folder of cases recorded in the {@code run.json} {@code file} ({@code data}), or null when the file
     * or the key is missing (runs made before it was recorded).
     */
    public static Path recordedData(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a valid run.json: " + e.getMessage(), e);
        }
        return o.has(DATA) && o.get(DATA).isJsonPrimitive() ? Path.of(o.get(DATA).getAsString()) : null;
    }

    /** Appends the time of a resume (and the step it resumed from). */
    public static void recordResume(Path file, long fromStep) throws IOException {
        recordResume(file, fromStep, null);
    }

    /** Appends the time of a resume, the step it resumed from and the folder of cases it trains on (when known). */
    public static void recordResume(Path file, long fromStep, Path dataDir) throws IOException {
        JsonObject o = Files.isRegularFile(file)
                ? JsonParser.parseString(Files.readString(file)).getAsJsonObject() : new JsonObject();
        JsonArray resumed = o.has("resumed") ? o.getAsJsonArray("resumed") : new JsonArray();
        JsonObject r = new JsonObject();
        r.addProperty("time", Instant.now().toString());
        r.addProperty("from_step", fromStep);
        if (dataDir != null) {
            r.addProperty(DATA, dataDir.toAbsolutePath().normalize().toString());
        }
        r.addProperty("git_commit", gitCommit());
        r.addProperty("cpu_kernels", VectorSupport.describe());
        resumed.add(r);
        o.add("resumed", resumed);
        AtomicFiles.writeString(file, Checkpoint.GSON.toJson(o) + "\n");
    }

    /** {@code git rev-parse HEAD} in the working directory, or {@code null} when that fails. */
    public static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("[0-9a-f]{40}")) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** ND4J's version from its jar's Maven metadata. */
    public static String nd4jVersion() {
        try (InputStream in = org.nd4j.linalg.factory.Nd4j.class
                .getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version");
            }
        } catch (IOException e) {
            // fall through
        }
        Package pkg = org.nd4j.linalg.factory.Nd4j.class.getPackage();
        return pkg == null ? null : pkg.getImplementationVersion();
    }
}

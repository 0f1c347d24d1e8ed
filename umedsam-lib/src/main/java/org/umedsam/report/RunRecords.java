package org.umedsam.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tech.tablesaw.api.Table;

/**
 * The records of one training run folder, as the trainer writes them:
 * <pre>
 * runs/&lt;run&gt;/config.json   how the run was made
 *             run.json      configuration name, seed, git commit, versions
 *             steps.csv     step,epoch,lr,grad_norm,loss_total,loss_&lt;term&gt;...,sigma_&lt;term&gt;...,seconds
 *             epochs.csv    epoch,train_loss,val_loss,val_dsc,lr,seconds
 * </pre>
 * Only {@code steps.csv} is required; the rest is read when present.
 *
 * @param dir the run folder
 * @param name the folder name
 * @param configuration the ablation configuration (baseline, only-sd, no-sam, full, ...)
 * @param seed the seed, or -1 when no record names it
 * @param steps per-step records
 * @param epochs per-epoch records, or null
 * @param run contents of run.json (empty when absent)
 * @param config contents of config.json (empty when absent)
 */
public record RunRecords(Path dir, String name, String configuration, long seed, Table steps, Table epochs,
                         JsonObject run, JsonObject config) {
    /** Prefix of per-term raw loss columns in steps.csv. */
    public static final String LOSS_PREFIX = "loss_";
    /** Prefix of per-term sigma columns in steps.csv. */
    public static final String SIGMA_PREFIX = "sigma_";
    /** The weighted objective column. */
    public static final String TOTAL = "loss_total";
    /** Key in run.json of the samples each epoch's validation pass scores ({@code train.RunInfo} writes it). */
    public static final String VALIDATION_SAMPLES = "validation_samples";

    private static final Pattern SEED_IN_NAME = Pattern.compile("^(.*?)[-_](?:seed|s)(\\d+)$");

    public RunRecords {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(steps, "steps");
        run = run == null ? new JsonObject() : run;
        config = config == null ? new JsonObject() : config;
    }

    /** The samples each epoch's validation pass scored; empty when run.json does not say (runs before 2026-12-07). */
    public java.util.OptionalInt validationSamples() {
        return run.has(VALIDATION_SAMPLES) ? java.util.OptionalInt.of(run.get(VALIDATION_SAMPLES).getAsInt())
                : java.util.OptionalInt.empty();
    }

    /**
     * Reads a run folder.
     *
     * @throws IOException naming the folder or file when steps.csv is missing or a record is malformed
     */
    public static RunRecords read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a run folder (no such directory)");
        }
        Path stepsFile = dir.resolve("steps.csv");
        if (!Files.isRegularFile(stepsFile)) {
            throw new IOException(dir + ": not a run folder (no steps.csv)");
        }
        Table steps = Tables.readCsv(stepsFile);
        if (!steps.containsColumn("step")) {
            throw new IOException(stepsFile + ": no 'step' column (columns: " + steps.columnNames() + ")");
        }
        Path epochsFile = dir.resolve("epochs.csv");
        Table epochs = Files.isRegularFile(epochsFile) && Files.size(epochsFile) > 0 ? Tables.readCsv(epochsFile) : null;
        JsonObject run = readJson(dir.resolve("run.json"));
        JsonObject config = readJson(dir.resolve("config.json"));
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        String configuration = firstString(run, "configuration", "config_name", "ablation");
        if (configuration == null) {
            configuration = firstString(config, "configuration", "config_name", "ablation", "name");
        }
        Long seed = firstLong(run, "seed");
        if (seed == null) {
            seed = firstLong(config, "seed");
        }
        Matcher m = SEED_IN_NAME.matcher(name);
        if (configuration == null) {
            configuration = m.matches() ? m.group(1) : name;
        }
        if (seed == null) {
            seed = m.matches() ? Long.parseLong(m.group(2)) : -1L;
        }
        // the trainer names runs by their folder ("full-s1"): the configuration is the name without the seed
        Matcher c = SEED_IN_NAME.matcher(configuration);
        if (c.matches() && seed >= 0 && Long.parseLong(c.group(2)) == seed) {
            configuration = c.group(1);
        }
        return new RunRecords(dir, name, configuration, seed, steps, epochs, run, config);
    }

    /**
     * Every run folder directly under {@code runsDir} (folders holding steps.csv), sorted by name.
     */
    public static List<RunRecords> readAll(Path runsDir) throws IOException {
        if (!Files.isDirectory(runsDir)) {
            throw new IOException(runsDir + ": no such runs directory");
        }
        List<RunRecords> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(runsDir)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p.resolve("steps.csv"))) {
                    out.add(read(p));
                }
            }
        }
        return out;
    }

    /** Names of the loss terms with a {@code loss_<term>} column (excluding the total), in column order. */
    public List<String> lossTerms() {
        List<String> terms = new ArrayList<>();
        for (String c : steps.columnNames()) {
            if (c.startsWith(LOSS_PREFIX) && !c.equals(TOTAL)) {
                terms.add(c.substring(LOSS_PREFIX.length()));
            }
        }
        return terms;
    }

    /** Names of the loss terms with a learned {@code sigma_<term>} column, in column order (empty for fixed weights). */
    public List<String> sigmaTerms() {
        List<String> terms = new ArrayList<>();
        for (String c : steps.columnNames()) {
            if (c.startsWith(SIGMA_PREFIX)) {
                terms.add(c.substring(SIGMA_PREFIX.length()));
            }
        }
        return terms;
    }

    /** A steps.csv column as doubles. */
    public double[] stepColumn(String column) {
        return Tables.doubles(steps, column);
    }

    /**
     * The training objective's trend: the mean of {@link #TOTAL} over the first and over the last quarter of the
     * logged steps (at least one step each). A non-finite step counts as such: it makes its quarter's mean NaN,
     * so a run that diverged never reads as one that decreased.
     */
    public LossTrend lossTrend() {
        double[] loss = stepColumn(TOTAL);
        int q = Math.max(1, loss.length / 4);
        return new LossTrend(mean(loss, 0, q), mean(loss, Math.max(0, loss.length - q), loss.length), q, loss.length);
    }

    /**
     * Mean objective of the first and the last {@code quarterSteps} of {@code steps} logged steps (NaN when there
     * are none).
     */
    public record LossTrend(double first, double last, int quarterSteps, int steps) {

        /** Whether the last quarter's mean is below the first's (false when either is NaN). */
        public boolean decreased() {
            return last < first;
        }
    }

    private static double mean(double[] v, int from, int to) {
        if (to <= from) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static JsonObject readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IOException(file + ": expected a JSON object");
            }
            return e.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": malformed JSON: " + e.getMessage(), e);
        }
    }

    private static String firstString(JsonObject o, String... keys) {
        for (String k : keys) {
            if (o.has(k) && o.get(k).isJsonPrimitive()) {
                return o.get(k).getAsString();
            }
        }
        return null;
    }

    private static Long firstLong(JsonObject o, String key) {
        if (o.has(key) && o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isNumber()) {
            return o.get(key).getAsLong();
        }
        return null;
    }
}

package org.umedsam.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A folder of ablation runs ({@code runs/<profile>/<configuration>-s<seed>/}) read as a whole:
 * training records, test scores and timings of every run, landscapes and qualitative examples
 * (file names in {@link RunFiles}).
 */
public final class RunsDirectory {
    private final Path dir;
    private final List<RunRecords> runs;

    private RunsDirectory(Path dir, List<RunRecords> runs) {
        this.dir = dir;
        this.runs = runs;
    }

    /**
     * @throws IOException naming the folder when it holds no run folder
     */
    public static RunsDirectory read(Path dir) throws IOException {
        return readIfAny(dir).orElseThrow(() -> new IOException(dir + ": no run folders (sub-folders with steps.csv)"));
    }

    /** {@link #read}, empty when the folder holds no run folder. */
    public static java.util.Optional<RunsDirectory> readIfAny(Path dir) throws IOException {
        List<RunRecords> runs = RunRecords.readAll(dir);
        return runs.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(new RunsDirectory(dir, runs));
    }

    public Path dir() {
        return dir;
    }

    public List<RunRecords> runs() {
        return runs;
    }

    /** Whether every run here has its test scores ({@link RunFiles#SCORES}): its study finished scoring. */
    public boolean everyRunScored() {
        return runs.stream().allMatch(r -> Files.isRegularFile(r.dir().resolve(RunFiles.SCORES)));
    }

    /**
     * How long this folder's runs trained, for a column heading: {@code "180 steps (full)"} (the folder's name in
     * brackets), {@code "170 to 180 steps (full)"} when its runs differ.
     */
    public String stepsLabel() {
        java.util.IntSummaryStatistics steps = runs.stream().mapToInt(r -> r.steps().rowCount()).summaryStatistics();
        String count = steps.getMin() == steps.getMax() ? Integer.toString(steps.getMax())
                : steps.getMin() + " to " + steps.getMax();
        return count + " steps (" + dir.getFileName() + ")";
    }

    /**
     * The runs' configuration and seed pairs ({@code "full-s0"}, ...), sorted: two folders whose studies differ only in
     * training length have the same.
     */
    public java.util.SortedSet<String> configurationsAndSeeds() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        runs.forEach(r -> out.add(r.configuration() + "-s" + r.seed()));
        return out;
    }

    /** The run of a configuration with the lowest seed, or null. */
    public RunRecords first(String configuration) {
        return runs.stream().filter(r -> r.configuration().equals(configuration))
                .min(java.util.Comparator.comparingLong(RunRecords::seed)).orElse(null);
    }

    /**
     * Every run's {@value RunFiles#SCORES} with {@code configuration} and {@code seed} columns
     * added: the input of {@link SeedSummary} and {@link Table3}.
     *
     * @throws IOException when no run has scores
     */
    public Table scores() throws IOException {
        Table all = null;
        for (RunRecords r : runs) {
            Path f = r.dir().resolve(RunFiles.SCORES);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            Table t = Tables.readCsv(f);
            for (String c : List.of(ScoreColumns.CASE, ScoreColumns.MODALITY, ScoreColumns.DSC, ScoreColumns.NSD)) {
                if (!t.containsColumn(c)) {
                    throw new IOException(f + ": no '" + c + "' column (has " + t.columnNames() + ")");
                }
            }
            Table rows = Table.create("scores",
                    StringColumn.create(ScoreColumns.CONFIGURATION, repeat(r.configuration(), t.rowCount())),
                    DoubleColumn.create(ScoreColumns.SEED, repeatD(r.seed(), t.rowCount())),
                    t.stringColumn(ScoreColumns.CASE).copy(), t.stringColumn(ScoreColumns.MODALITY).copy(),
                    t.doubleColumn(ScoreColumns.DSC).copy(), t.doubleColumn(ScoreColumns.NSD).copy());
            all = all == null ? rows : all.append(rows);
        }
        if (all == null) {
            throw new IOException(dir + ": no run has " + RunFiles.SCORES);
        }
        return all;
    }

    /**
     * {@link #scores()} with the base model's test scores ({@value RunFiles#BASE_MODEL_DIR}/{@value RunFiles#SCORES},
     * written by the study before fine-tuning) added as configuration {@link Ordering#BASE_MODEL}, seed 0; just
     * {@link #scores()} when the folder has none.
     */
    public Table scoresWithBaseModel() throws IOException {
        Table all = scores();
        Path f = dir.resolve(RunFiles.BASE_MODEL_DIR).resolve(RunFiles.SCORES);
        if (!Files.isRegularFile(f)) {
            return all;
        }
        Table t = Tables.readCsv(f);
        for (String c : List.of(ScoreColumns.CASE, ScoreColumns.MODALITY, ScoreColumns.DSC, ScoreColumns.NSD)) {
            if (!t.containsColumn(c)) {
                throw new IOException(f + ": no '" + c + "' column (has " + t.columnNames() + ")");
            }
        }
        return all.append(Table.create("scores",
                StringColumn.create(ScoreColumns.CONFIGURATION, repeat(Ordering.BASE_MODEL, t.rowCount())),
                DoubleColumn.create(ScoreColumns.SEED, repeatD(0, t.rowCount())),
                t.stringColumn(ScoreColumns.CASE).copy(), t.stringColumn(ScoreColumns.MODALITY).copy(),
                t.doubleColumn(ScoreColumns.DSC).copy(), t.doubleColumn(ScoreColumns.NSD).copy()));
    }

    private static final String CACHED_EMBEDDINGS = "cached_embeddings";

    /**
     * Every run's {@value RunFiles#TIMINGS} with a {@code configuration} column, without the cases that took
     * embeddings from a cache shared across runs (their time is not the model's); null when none has one.
     */
    public Table timings() throws IOException {
        Table all = null;
        for (RunRecords r : runs) {
            Path f = r.dir().resolve(RunFiles.TIMINGS);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            Table t = Tables.readCsv(f);
            for (String c : List.of(Table4.CASE, Table4.SIZE, Table4.OBJECTS, Table4.SECONDS)) {
                if (!t.containsColumn(c)) {
                    throw new IOException(f + ": no '" + c + "' column (has " + t.columnNames() + ")");
                }
            }
            Table rows = t.copy();
            if (rows.containsColumn(CACHED_EMBEDDINGS)) {
                rows = rows.where(((NumericColumn<?>) rows.column(CACHED_EMBEDDINGS)).isEqualTo(0));
                rows.removeColumns(CACHED_EMBEDDINGS);
            }
            rows.addColumns(StringColumn.create(Table4.CONFIGURATION, repeat(r.configuration(), rows.rowCount())));
            all = all == null ? rows : all.append(rows);
        }
        return all;
    }

    /**
     * The landscapes of every run that has some ({@value RunFiles#LANDSCAPE_DIR}/{@code surface-<k>.csv}
     * and {@code line-<k>.csv} for k = 0, 1, ... while they exist), configurations in {@link Ordering},
     * then by seed; each line and surface labelled with its configuration.
     */
    public List<LandscapeSet> landscapes() throws IOException {
        List<LandscapeSet> out = new ArrayList<>();
        for (RunRecords r : ordered()) {
            Path dir = r.dir().resolve(RunFiles.LANDSCAPE_DIR);
            List<LandscapeLine> lines = new ArrayList<>();
            for (int k = 0; Files.isRegularFile(dir.resolve(RunFiles.line(k))); k++) {
                lines.add(LandscapeLine.read(dir.resolve(RunFiles.line(k)), r.configuration()));
            }
            List<LandscapeSurface> surfaces = new ArrayList<>();
            for (int k = 0; Files.isRegularFile(dir.resolve(RunFiles.surface(k))); k++) {
                surfaces.add(LandscapeSurface.read(dir.resolve(RunFiles.surface(k)), r.configuration()));
            }
            if (!lines.isEmpty() || !surfaces.isEmpty()) {
                out.add(new LandscapeSet(r.configuration(), r.seed(), lines, surfaces));
            }
        }
        return out;
    }

    /** The runs, configurations in {@link Ordering}, then by seed. */
    private List<RunRecords> ordered() {
        List<RunRecords> ordered = new ArrayList<>(runs);
        List<String> configs = Ordering.configurations(ordered.stream().map(RunRecords::configuration).toList());
        ordered.sort(java.util.Comparator.comparingInt((RunRecords r) -> configs.indexOf(r.configuration()))
                .thenComparingLong(RunRecords::seed));
        return ordered;
    }

    /**
     * Sharpness of every run that has it ({@value RunFiles#LANDSCAPE_DIR}/{@value RunFiles#SHARPNESS}):
     * columns configuration, seed, rho, loss (the common objective at the centre), run_loss (the run's
     * own objective at the centre; NaN when not recorded), random_increase, ascent_increase, sharpness,
     * batch (training samples these values are evaluated on: the record's {@code sharpnessBatch}, or its landscape
     * {@code batch} for records from before the estimate had a batch of its own; NaN when not recorded); null when
     * none has it.
     */
    public Table sharpness() throws IOException {
        StringColumn config = StringColumn.create("configuration");
        DoubleColumn seed = DoubleColumn.create("seed");
        String[] keys = {"rho", "loss", "runObjectiveLoss", "randomIncrease", "ascentIncrease", "sharpness", "batch"};
        String[] cols = {"rho", "loss", "run_loss", "random_increase", "ascent_increase", "sharpness", "batch"};
        // older records lack these
        java.util.Set<String> optional = java.util.Set.of("runObjectiveLoss", "batch");
        DoubleColumn[] values = new DoubleColumn[keys.length];
        for (int i = 0; i < keys.length; i++) {
            values[i] = DoubleColumn.create(cols[i]);
        }
        for (Map.Entry<RunRecords, JsonObject> e : sharpnessRecords().entrySet()) {
            RunRecords r = e.getKey();
            JsonObject o = e.getValue();
            Path f = sharpnessFile(r);
            config.append(r.configuration());
            seed.append(r.seed());
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals("batch") && o.has("sharpnessBatch")) {
                    values[i].append(o.get("sharpnessBatch").getAsDouble());
                    continue;
                }
                if (!o.has(keys[i])) {
                    if (optional.contains(keys[i])) {
                        values[i].append(Double.NaN);
                        continue;
                    }
                    throw new IOException(f + ": no '" + keys[i] + "'");
                }
                try {
                    values[i].append(o.get(keys[i]).getAsDouble());
                } catch (RuntimeException ex) {
                    throw new IOException(f + ": '" + keys[i] + "' is not a number", ex);
                }
            }
        }
        if (config.isEmpty()) {
            return null;
        }
        Table t = Table.create("sharpness", config, seed);
        t.addColumns(values);
        return t;
    }

    /**
     * The fixed landscape batch sizes ({@code batch}: training samples the slices are evaluated on) the runs'
     * {@value RunFiles#SHARPNESS} records name, smallest first; empty when none does.
     */
    public java.util.SortedSet<Integer> landscapeBatches() throws IOException {
        java.util.SortedSet<Integer> sizes = new java.util.TreeSet<>();
        for (JsonObject o : sharpnessRecords().values()) {
            if (o.has("batch")) {
                sizes.add(o.get("batch").getAsInt());
            }
        }
        return sizes;
    }

    /** Each run's parsed {@value RunFiles#SHARPNESS}, in {@link #ordered()} order; runs without one left out. */
    private Map<RunRecords, JsonObject> sharpnessRecords() throws IOException {
        Map<RunRecords, JsonObject> out = new LinkedHashMap<>();
        for (RunRecords r : ordered()) {
            Path f = sharpnessFile(r);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                out.put(r, JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject());
            } catch (RuntimeException e) {
                throw new IOException(f + ": malformed JSON: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static Path sharpnessFile(RunRecords r) {
        return r.dir().resolve(RunFiles.LANDSCAPE_DIR).resolve(RunFiles.SHARPNESS);
    }

    /** Qualitative examples of every run that kept some, with the run's configuration. */
    public Map<String, List<QualitativeExample>> examples() throws IOException {
        Map<String, List<QualitativeExample>> out = new LinkedHashMap<>();
        for (RunRecords r : runs) {
            Path index = r.dir().resolve(RunFiles.EXAMPLES_DIR).resolve(RunFiles.EXAMPLES_INDEX);
            if (!Files.isRegularFile(index)) {
                continue;
            }
            Table t = Tables.readCsv(index);
            List<QualitativeExample> list = out.computeIfAbsent(r.name(), k -> new ArrayList<>());
            double[] dsc = Tables.doubles(t, "dsc"); // NaN (0/0 as the challenge computes it) reads as missing
            for (int i = 0; i < t.rowCount(); i++) {
                Path file = r.dir().resolve(RunFiles.EXAMPLES_DIR).resolve(t.stringColumn("file").get(i));
                list.add(QualitativeExample.read(file, t.stringColumn("case").get(i), t.stringColumn("modality").get(i),
                        dsc[i]));
            }
        }
        return out;
    }

    private static String[] repeat(String s, int n) {
        String[] a = new String[n];
        java.util.Arrays.fill(a, s);
        return a;
    }

    private static double[] repeatD(double v, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}

package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The ablation in several studies side by side, studies that differ in one thing only ({@link Comparison}: how long
 * each run trained, or which parameters trained): for each study (a folder of runs of the same configurations,
 * seeds, data and test split) the average row of {@link Table3Statistics}: each configuration's DSC and NSD as mean ±
 * sd over seeds, then each paired difference (to baseline, and full - no-sam) with its 95 % bootstrap interval, and
 * under the table the sentence on the paper's ordering for each study. It asks whether a study's result is one of
 * that one thing.
 *
 * <p>Rows: the configurations (in {@link Ordering}), then the differences, as {@link Table3Statistics} names them
 * ({@code only-sd - baseline}, ...). Columns: {@code Row}, then {@code <study> DSC} and {@code <study> NSD} per
 * study, in the order given. A cell is "–" where a study lacks that configuration or difference.
 *
 * @param comparison what the studies differ in
 * @param table      the display table (text cells)
 * @param orderings  the ordering sentence of each study, by its label, in the columns' order
 */
public record StudiesSideBySide(Comparison comparison, Table table, Map<String, String> orderings) {
    private static final String[] METRICS = {"DSC", "NSD"};
    private static final String DIFFERENCE = " - ";

    /** What the studies of a table differ in, and how the table says so. */
    public enum Comparison {
        /** The same study trained for different numbers of steps ({@code full} and {@code long}). */
        TRAINING_LENGTH("The ablation's average over modalities at each training length", "at each training length",
                "tab:training-length", "how many steps each run trained (the same configurations, seeds, data,"
                + " sampling and test split), so a row that changes sign between columns depends on training length."),
        /**
         * The same study training the mask decoder and sigmas, or every parameter ({@code full} and {@code full-all}).
         */
        TRAINED_PARAMETERS("The ablation's average over modalities by the parameters trained",
                "training the mask decoder and sigmas, or every parameter", "tab:trained-parameters",
                "which parameters each run trained (the mask decoder and sigmas, or every parameter, the image encoder"
                + " included, with its BatchNorm statistics recomputed at each epoch's end; the same configurations,"
                + " seeds, data, sampling, steps and test split), so a row that changes between columns depends on what"
                + " trains.");

        private final String title;
        private final String captionTail;
        private final String texLabel;
        private final String differsIn;

        Comparison(String title, String captionTail, String texLabel, String differsIn) {
            this.title = title;
            this.captionTail = captionTail;
            this.texLabel = texLabel;
            this.differsIn = differsIn;
        }
    }

    public StudiesSideBySide {
        java.util.Objects.requireNonNull(comparison, "comparison");
        // in the order of the columns, for the notes
        orderings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(orderings));
    }

    /**
     * The comparison of a study's runs with the same study trained longer, each column headed by its folder's
     * {@link RunsDirectory#stepsLabel()}.
     *
     * @throws IllegalArgumentException when a longer folder's configurations and seeds are not {@code shorter}'s
     *                                  (then it is another study, not a longer one)
     * @throws IOException              when a folder has no scores
     */
    public static StudiesSideBySide byTrainingLength(RunsDirectory shorter, List<RunsDirectory> longer)
            throws IOException {
        Map<String, Table3Statistics> byLength = new LinkedHashMap<>();
        byLength.put(shorter.stepsLabel(), Table3Statistics.of(shorter.scores()));
        for (RunsDirectory l : longer) {
            requireSameRuns(shorter, l, "trained longer");
            byLength.put(l.stepsLabel(), Table3Statistics.of(l.scores()));
        }
        return of(Comparison.TRAINING_LENGTH, byLength);
    }

    /**
     * The comparison of a study that trains the mask decoder and sigmas with the same study training every
     * parameter, the columns headed {@code mask decoder (<folder>)} and {@code every parameter (<folder>)}.
     *
     * @throws IllegalArgumentException when the folders' configurations and seeds differ (then they are two studies)
     * @throws IOException              when a folder has no scores
     */
    public static StudiesSideBySide byTrainedParameters(RunsDirectory maskDecoder, RunsDirectory everyParameter)
            throws IOException {
        requireSameRuns(maskDecoder, everyParameter, "with every parameter trained");
        Map<String, Table3Statistics> byStudy = new LinkedHashMap<>();
        byStudy.put("mask decoder (" + maskDecoder.dir().getFileName() + ")", Table3Statistics.of(maskDecoder.scores()));
        byStudy.put("every parameter (" + everyParameter.dir().getFileName() + ")",
                Table3Statistics.of(everyParameter.scores()));
        return of(Comparison.TRAINED_PARAMETERS, byStudy);
    }

    private static void requireSameRuns(RunsDirectory a, RunsDirectory b, String what) {
        if (!b.configurationsAndSeeds().equals(a.configurationsAndSeeds())) {
            throw new IllegalArgumentException(b.dir() + " has runs " + b.configurationsAndSeeds() + ", " + a.dir()
                    + " has " + a.configurationsAndSeeds() + ": not the same study " + what);
        }
    }

    /**
     * @param byLength each study's label (e.g. "180 steps (full)") and its statistics, in the columns' order
     * @throws IllegalArgumentException with fewer than two studies, or a statistics table without an average row
     */
    public static StudiesSideBySide of(Comparison comparison, Map<String, Table3Statistics> byLength) {
        if (byLength.size() < 2) {
            throw new IllegalArgumentException("a comparison " + comparison.captionTail
                    + " needs at least two studies, got " + byLength.keySet());
        }
        Map<String, Map<String, String>> averages = new LinkedHashMap<>();
        Map<String, String> orderings = new LinkedHashMap<>();
        Set<String> configurations = new LinkedHashSet<>();
        Set<String> differences = new LinkedHashSet<>();
        for (Map.Entry<String, Table3Statistics> e : byLength.entrySet()) {
            Map<String, String> row = averageRow(e.getKey(), e.getValue().table());
            averages.put(e.getKey(), row);
            orderings.put(e.getKey(), e.getValue().ordering());
            for (String column : row.keySet()) {
                if (!column.endsWith(" " + METRICS[0])) {
                    continue;
                }
                String name = column.substring(0, column.length() - METRICS[0].length() - 1);
                (name.contains(DIFFERENCE) ? differences : configurations).add(name);
            }
        }
        List<String> rows = new ArrayList<>(Ordering.configurations(List.copyOf(configurations)));
        rows.addAll(differences);
        Table t = Table.create(comparison.title);
        StringColumn label = StringColumn.create("Row");
        rows.forEach(label::append);
        t.addColumns(label);
        for (Map.Entry<String, Map<String, String>> e : averages.entrySet()) {
            for (String metric : METRICS) {
                StringColumn col = StringColumn.create(e.getKey() + " " + metric);
                for (String row : rows) {
                    col.append(e.getValue().getOrDefault(row + " " + metric, "–"));
                }
                t.addColumns(col);
            }
        }
        return new StudiesSideBySide(comparison, t, orderings);
    }

    /** The average row of a {@link Table3Statistics} table, column name to cell. */
    private static Map<String, String> averageRow(String length, Table stats) {
        StringColumn modality = stats.stringColumn("Modality");
        for (int r = stats.rowCount() - 1; r >= 0; r--) {
            if (modality.get(r).equals(SeedSummary.AVERAGE)) {
                Map<String, String> row = new LinkedHashMap<>();
                for (String c : stats.columnNames()) {
                    row.put(c, stats.getString(r, c));
                }
                return row;
            }
        }
        throw new IllegalArgumentException(length + ": the statistics table has no '" + SeedSummary.AVERAGE + "' row");
    }

    /**
     * Writes {@code dir/name.md}, {@code .tex} and {@code .csv}, the Markdown and LaTeX with the notes below.
     *
     * @return the files written
     */
    public List<Path> write(Path dir, String name) throws IOException {
        return TableRenderer.writeAllWithNotes(table, dir, name, caption(), comparison.texLabel, notes());
    }

    /** The caption used in the LaTeX file. */
    public String caption() {
        return "The ablation " + comparison.captionTail + ": mean DSC and NSD (%) over modalities, mean ± sd over"
                + " seeds, and the paired differences in percentage points with 95 % bootstrap intervals over cases and"
                + " seeds";
    }

    /** Each length's ordering sentence and what the cells are, as plain text. */
    public String notes() {
        StringBuilder b = new StringBuilder();
        orderings.forEach((length, ordering) -> b.append(length).append(": ").append(ordering).append("\n\n"));
        return b + "Each column is one study's Average row of Table 3 with statistics: per seed, the unweighted mean"
                + " over modalities of the per-modality means, then mean ± sd over seeds; differences pair the same"
                + " case and seed within a study. The studies differ only in " + comparison.differsIn;
    }
}

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
 * The ablation at several training lengths, side by side: for each length (a folder of runs of the same
 * configurations, seeds, data and test split, trained for a different number of steps) the average row of
 * {@link Table3Statistics}: each configuration's DSC and NSD as mean ± sd over seeds, then each paired difference
 * (to baseline, and full - no-sam) with its 95 % bootstrap interval, and under the table the sentence on the
 * paper's ordering for each length. It asks whether a result of a short study is one of training length.
 *
 * <p>Rows: the configurations (in {@link Ordering}), then the differences, as {@link Table3Statistics} names them
 * ({@code only-sd - baseline}, ...). Columns: {@code Row}, then {@code <length> DSC} and {@code <length> NSD} per
 * length, in the order given. A cell is "–" where a length lacks that configuration or difference.
 *
 * @param table     the display table (text cells)
 * @param orderings the ordering sentence of each length, by its label, in the columns' order
 */
public record TrainingLengthTable(Table table, Map<String, String> orderings) {
    private static final String[] METRICS = {"DSC", "NSD"};
    private static final String DIFFERENCE = " - ";

    public TrainingLengthTable {
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
    public static TrainingLengthTable of(RunsDirectory shorter, List<RunsDirectory> longer) throws IOException {
        Map<String, Table3Statistics> byLength = new LinkedHashMap<>();
        byLength.put(shorter.stepsLabel(), Table3Statistics.of(shorter.scores()));
        for (RunsDirectory l : longer) {
            if (!l.configurationsAndSeeds().equals(shorter.configurationsAndSeeds())) {
                throw new IllegalArgumentException(l.dir() + " has runs " + l.configurationsAndSeeds() + ", "
                        + shorter.dir() + " has " + shorter.configurationsAndSeeds()
                        + ": not the same study trained longer");
            }
            byLength.put(l.stepsLabel(), Table3Statistics.of(l.scores()));
        }
        return of(byLength);
    }

    /**
     * @param byLength each length's label (e.g. "180 steps") and its study's statistics, shortest first
     * @throws IllegalArgumentException with fewer than two lengths, or a statistics table without an average row
     */
    public static TrainingLengthTable of(Map<String, Table3Statistics> byLength) {
        if (byLength.size() < 2) {
            throw new IllegalArgumentException("a training-length comparison needs at least two lengths, got "
                    + byLength.keySet());
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
        Table t = Table.create("The ablation's average over modalities at each training length");
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
        return new TrainingLengthTable(t, orderings);
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
        return TableRenderer.writeAllWithNotes(table, dir, name, caption(), "tab:training-length", notes());
    }

    /** The caption used in the LaTeX file. */
    public static String caption() {
        return "The ablation at each training length: mean DSC and NSD (%) over modalities, mean ± sd over seeds, and"
                + " the paired differences in percentage points with 95 % bootstrap intervals over cases and seeds";
    }

    /** Each length's ordering sentence and what the cells are, as plain text. */
    public String notes() {
        StringBuilder b = new StringBuilder();
        orderings.forEach((length, ordering) -> b.append(length).append(": ").append(ordering).append("\n\n"));
        return b + "Each column is one study's Average row of Table 3 with statistics: per seed, the unweighted mean"
                + " over modalities of the per-modality means, then mean ± sd over seeds; differences pair the same"
                + " case and seed within a study. The studies differ only in how many steps each run trained (the same"
                + " configurations, seeds, data, sampling and test split), so a row that changes sign between"
                + " columns depends on training length.";
    }
}

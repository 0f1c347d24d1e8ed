package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.umedsam.metrics.NanStatistics;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The paper's Table 4 with spread: running time per case of two (or more) configurations measured
 * interleaved over repeats ({@code org.umedsam.analysis.EfficiencyComparison}), as mean ± sd over
 * repeats in seconds, one row per case (case, modality, size, objects, as the paper lists them),
 * then one row per image size class ({@code 2D}, {@code 3D}; when both occur, for a class of at least two cases)
 * and one for all cases, whose cells are
 * the mean ± sd over repeats of the mean time per case of the class; a last column gives the ratio
 * of the last configuration's mean to the first's.
 *
 * <p>Input columns ({@value #FILE} in the runs folder): {@link #COLUMNS}.
 */
public final class EfficiencyTable {
    /** File name of the interleaved timings, in the runs folder (beside the run folders). */
    public static final String FILE = "efficiency.csv";
    /** Columns of {@value #FILE}: position is the order within a (repeat, case), 0 first. */
    public static final List<String> COLUMNS = List.of("case", "modality", "size", "objects", "configuration", "repeat",
            "position", "seconds");

    private EfficiencyTable() {
    }

    /** {@code runsDir/}{@value #FILE} as a table, or null when there is none. */
    public static Table read(Path runsDir) throws IOException {
        Path f = runsDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Table t = Tables.readCsv(f);
        check(t, f.toString());
        return t;
    }

    /**
     * @param timings rows with {@link #COLUMNS}
     * @return the display table (text cells), configurations in {@link Ordering}
     */
    public static Table of(Table timings) {
        check(timings, timings.name());
        double[] seconds = Tables.doubles(timings, "seconds");
        double[] repeat = Tables.doubles(timings, "repeat");
        double[] objects = Tables.doubles(timings, "objects");
        // case -> configuration -> repeat -> seconds (summed when a repeat holds several timings)
        Map<String, Map<String, Map<Integer, Double>>> time = new LinkedHashMap<>();
        Map<String, CaseColumns.Info> info = new LinkedHashMap<>();
        LinkedHashSet<String> configs = new LinkedHashSet<>();
        for (int r = 0; r < timings.rowCount(); r++) {
            String id = timings.stringColumn("case").get(r);
            String config = timings.stringColumn("configuration").get(r);
            if (Double.isNaN(seconds[r]) || Double.isNaN(repeat[r])) {
                throw new IllegalArgumentException(timings.name() + ": row " + (r + 2) + " has no seconds or repeat");
            }
            configs.add(config);
            info.putIfAbsent(id, CaseColumns.Info.of(timings.stringColumn("modality").get(r),
                    timings.stringColumn("size").get(r), objects[r]));
            time.computeIfAbsent(id, k -> new LinkedHashMap<>()).computeIfAbsent(config, k -> new LinkedHashMap<>())
                    .merge((int) repeat[r], seconds[r], Double::sum);
        }
        List<String> cols = Ordering.configurations(configs);
        Table t = Table.create("Table 4: running time per case (s), mean ± sd over interleaved repeats");
        CaseColumns caseCols = new CaseColumns();
        IntColumn repCol = IntColumn.create("Repeats");
        List<StringColumn> timeCols = new ArrayList<>();
        for (String c : cols) {
            timeCols.add(StringColumn.create(c + " (s)"));
        }
        StringColumn ratio = StringColumn.create(cols.get(cols.size() - 1) + " / " + cols.get(0));
        Map<String, List<String>> classes = new LinkedHashMap<>();
        for (Map.Entry<String, CaseColumns.Info> e : info.entrySet()) {
            caseCols.append(e.getKey(), e.getValue());
            double[] means = new double[cols.size()];
            int reps = 0;
            for (int i = 0; i < cols.size(); i++) {
                double[] perRepeat = values(time.get(e.getKey()).get(cols.get(i)));
                reps = Math.max(reps, perRepeat.length);
                means[i] = NanStatistics.mean(perRepeat);
                timeCols.get(i).append(seconds(means[i], NanStatistics.sd(perRepeat)));
            }
            repCol.append(reps);
            ratio.append(ratio(means[cols.size() - 1], means[0]));
            classes.computeIfAbsent(sizeClass(e.getValue().size()), k -> new ArrayList<>()).add(e.getKey());
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String k : List.of("2D", "3D")) {
            // with one class its row would repeat "all cases", and a class of one case would repeat that case's row
            if (classes.containsKey(k) && classes.size() > 1 && classes.get(k).size() > 1) {
                groups.put("all " + k + " cases", classes.get(k));
            }
        }
        groups.put("all cases", new ArrayList<>(info.keySet()));
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            caseCols.appendLabel(g.getKey());
            double[] means = new double[cols.size()];
            int reps = 0;
            for (int i = 0; i < cols.size(); i++) {
                // per repeat: mean over the group's cases of that repeat's time
                Map<Integer, double[]> byRepeat = new LinkedHashMap<>();
                for (String id : g.getValue()) {
                    time.get(id).getOrDefault(cols.get(i), Map.of()).forEach((rep, s) -> {
                        double[] a = byRepeat.computeIfAbsent(rep, k -> new double[2]);
                        a[0] += s;
                        a[1] += 1;
                    });
                }
                double[] perRepeat = byRepeat.values().stream().mapToDouble(a -> a[0] / a[1]).toArray();
                reps = Math.max(reps, perRepeat.length);
                means[i] = NanStatistics.mean(perRepeat);
                timeCols.get(i).append(seconds(means[i], NanStatistics.sd(perRepeat)));
            }
            repCol.append(reps);
            ratio.append(ratio(means[cols.size() - 1], means[0]));
        }
        caseCols.addTo(t, true);
        t.addColumns(repCol);
        timeCols.forEach(t::addColumns);
        if (cols.size() > 1) {
            t.addColumns(ratio);
        }
        return t;
    }

    /** {@code 2D} for an {@code H×W} size, {@code 3D} for {@code D×H×W}. */
    public static String sizeClass(String size) {
        return size.split("[×x]").length >= 3 ? "3D" : "2D";
    }

    private static double[] values(Map<Integer, Double> byRepeat) {
        return byRepeat == null ? new double[0] : byRepeat.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String seconds(double mean, double sd) {
        if (Double.isNaN(mean)) {
            return "–";
        }
        String m = String.format(Locale.ROOT, "%.2f", mean);
        return Double.isNaN(sd) ? m : m + " ± " + String.format(Locale.ROOT, "%.2f", sd);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static void check(Table t, String where) {
        List<String> missing = COLUMNS.stream().filter(c -> !t.containsColumn(c)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(where + ": efficiency timings lack columns " + missing + " (has "
                    + t.columnNames() + ")");
        }
        if (t.rowCount() == 0) {
            throw new IllegalArgumentException(where + ": efficiency timings have no rows");
        }
    }
}

package org.umedsam.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.umedsam.metrics.NanStatistics;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The sharpness table over seeds: per configuration, the mean and sample SD (n - 1) over seeds of
 * the sharpness and of the loss at the centre, both on the common objective, and of the run's own
 * objective at the centre, with the number of seeds. SD is NaN for a single seed; a NaN value (an
 * older record without the run's own objective) is left out of its column's mean.
 */
public final class SharpnessSummary {
    /** What {@link #batchSizes} says when no run recorded its batch. */
    public static final String NOT_RECORDED = "not recorded";

    private SharpnessSummary() {
    }

    /**
     * @param perSeed the table of {@link RunsDirectory#sharpness()}: columns configuration, seed, rho,
     *                loss, run_loss, sharpness (others ignored)
     * @return columns configuration, seeds, rho, loss_mean, loss_sd, sharpness_mean, sharpness_sd,
     *     run_loss_mean, run_loss_sd; configurations in {@link Ordering}
     * @throws IllegalArgumentException when a configuration mixes radii (its seeds are not comparable)
     */
    public static Table of(Table perSeed) {
        for (String c : List.of("configuration", "seed", "rho", "loss", "run_loss", "sharpness")) {
            if (!perSeed.columnNames().contains(c)) {
                throw new IllegalArgumentException(perSeed.name() + ": no column '" + c + "'");
            }
        }
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (int r = 0; r < perSeed.rowCount(); r++) {
            rows.computeIfAbsent(perSeed.stringColumn("configuration").get(r), k -> new ArrayList<>()).add(r);
        }
        StringColumn config = StringColumn.create("configuration");
        IntColumn seeds = IntColumn.create("seeds");
        DoubleColumn rho = DoubleColumn.create("rho");
        String[] source = {"loss", "sharpness", "run_loss"};
        DoubleColumn[] stats = new DoubleColumn[2 * source.length];
        for (int i = 0; i < source.length; i++) {
            stats[2 * i] = DoubleColumn.create(source[i] + "_mean");
            stats[2 * i + 1] = DoubleColumn.create(source[i] + "_sd");
        }
        for (String c : Ordering.configurations(rows.keySet())) {
            List<Integer> idx = rows.get(c);
            double[] radii = values(perSeed, "rho", idx);
            for (double r : radii) {
                if (r != radii[0]) {
                    throw new IllegalArgumentException(c + ": sharpness measured at different radii " + radii[0]
                            + " and " + r);
                }
            }
            config.append(c);
            seeds.append((int) java.util.Arrays.stream(values(perSeed, "seed", idx)).distinct().count());
            rho.append(radii[0]);
            for (int i = 0; i < source.length; i++) {
                double[] v = values(perSeed, source[i], idx);
                stats[2 * i].append(NanStatistics.mean(v));
                stats[2 * i + 1].append(NanStatistics.sd(v));
            }
        }
        Table t = Table.create("sharpness over seeds", config, seeds, rho);
        t.addColumns(stats);
        return t;
    }

    /**
     * The per-seed table as shown: without {@code sharpness} when it repeats {@code ascent_increase} in
     * every row (sharpness is the larger of the random and the ascent increase, and the ascent finds
     * more whenever it works), so the table does not print one number twice.
     */
    public static Table perSeedTable(Table perSeed) {
        if (!perSeed.containsColumn("sharpness") || !perSeed.containsColumn("ascent_increase")) {
            return perSeed;
        }
        double[] sharpness = Tables.doubles(perSeed, "sharpness");
        double[] ascent = Tables.doubles(perSeed, "ascent_increase");
        return java.util.Arrays.equals(sharpness, ascent) ? perSeed.copy().removeColumns("sharpness") : perSeed;
    }

    /**
     * The fixed batch sizes (training samples the common objective is evaluated on) of the per-seed
     * table, e.g. {@code "3"} or {@code "2 / 3"}; {@link #NOT_RECORDED} when no run says.
     */
    public static String batchSizes(Table perSeed) {
        if (!perSeed.containsColumn("batch")) {
            return NOT_RECORDED;
        }
        java.util.Set<String> sizes = new java.util.TreeSet<>();
        for (double b : Tables.doubles(perSeed, "batch")) {
            if (!Double.isNaN(b)) {
                sizes.add(Long.toString(Math.round(b)));
            }
        }
        return sizes.isEmpty() ? NOT_RECORDED : String.join(" / ", sizes);
    }

    private static double[] values(Table t, String column, List<Integer> rows) {
        NumericColumn<?> c = (NumericColumn<?>) t.column(column);
        return rows.stream().mapToDouble(c::getDouble).toArray();
    }
}

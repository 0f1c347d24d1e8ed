package org.umedsam.report;

import static org.umedsam.metrics.NanStatistics.mean;
import static org.umedsam.metrics.NanStatistics.sd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Mean and spread over seeds of per-modality scores, the numbers behind Table 3 and the modality
 * bar chart.
 *
 * <p>First every (configuration, seed, modality) is averaged over its cases (a NaN score, which
 * the challenge's rules give a case whose classes are absent from both masks, is skipped, as
 * pandas' mean skips it); then, per
 * (configuration, modality), the mean and the sample standard deviation (n - 1) of those seed
 * means. The row {@value #AVERAGE} averages each seed's modality means (a macro average, so a
 * modality with many cases does not dominate), then takes mean and sd over seeds.
 */
public final class SeedSummary {
    /** Name of the macro-average row. */
    public static final String AVERAGE = "Average";

    /** One summary cell. Scores are fractions in [0, 1]; sd is NaN with a single seed. */
    public record Cell(String configuration, String modality, int seeds, int cases, double dscMean, double dscSd,
                       double nsdMean, double nsdSd) {
    }

    private SeedSummary() {
    }

    /**
     * @param scores per-case scores with {@link ScoreColumns#REQUIRED}
     * @return columns configuration, modality, seeds, cases, dsc_mean, dsc_sd, nsd_mean, nsd_sd;
     *     configurations and modalities in {@link Ordering}, the average row last per configuration
     */
    public static Table summarize(Table scores) {
        return toTable(cells(scores), scores.name() + " summary");
    }

    /** The summary as records, in the same order as {@link #summarize}. */
    public static List<Cell> cells(Table scores) {
        ScoreColumns.check(scores);
        if (scores.rowCount() == 0) {
            throw new IllegalArgumentException(scores.name() + ": score table has no rows");
        }
        // configuration -> modality -> seed -> [sum dsc, sum nsd, cases, dsc count, nsd count]
        Map<String, Map<String, Map<Long, double[]>>> acc = new LinkedHashMap<>();
        NumericColumn<?> seed = (NumericColumn<?>) scores.column(ScoreColumns.SEED);
        for (int r = 0; r < scores.rowCount(); r++) {
            Row row = scores.row(r);
            double dsc = ((NumericColumn<?>) scores.column(ScoreColumns.DSC)).getDouble(r);
            double nsd = ((NumericColumn<?>) scores.column(ScoreColumns.NSD)).getDouble(r);
            double[] a = acc.computeIfAbsent(row.getString(ScoreColumns.CONFIGURATION), k -> new LinkedHashMap<>())
                    .computeIfAbsent(row.getString(ScoreColumns.MODALITY), k -> new LinkedHashMap<>())
                    .computeIfAbsent((long) seed.getDouble(r), k -> new double[5]);
            if (!Double.isNaN(dsc)) {
                a[0] += dsc;
                a[3] += 1;
            }
            if (!Double.isNaN(nsd)) {
                a[1] += nsd;
                a[4] += 1;
            }
            a[2] += 1;
        }
        List<Cell> out = new ArrayList<>();
        for (String config : Ordering.configurations(acc.keySet())) {
            Map<String, Map<Long, double[]>> byModality = acc.get(config);
            Map<Long, double[]> macro = new LinkedHashMap<>(); // seed -> [sum of modality means dsc, nsd, count]
            int totalCases = 0;
            for (String modality : Ordering.modalities(byModality.keySet())) {
                Map<Long, double[]> bySeed = byModality.get(modality);
                double[] dsc = new double[bySeed.size()];
                double[] nsd = new double[bySeed.size()];
                int i = 0;
                int cases = 0;
                for (Map.Entry<Long, double[]> e : bySeed.entrySet()) {
                    double[] a = e.getValue();
                    dsc[i] = a[3] == 0 ? Double.NaN : a[0] / a[3];
                    nsd[i] = a[4] == 0 ? Double.NaN : a[1] / a[4];
                    double[] m = macro.computeIfAbsent(e.getKey(), k -> new double[4]);
                    if (!Double.isNaN(dsc[i])) {
                        m[0] += dsc[i];
                        m[2] += 1;
                    }
                    if (!Double.isNaN(nsd[i])) {
                        m[1] += nsd[i];
                        m[3] += 1;
                    }
                    cases = Math.max(cases, (int) a[2]);
                    i++;
                }
                totalCases += cases;
                out.add(new Cell(config, modality, bySeed.size(), cases, mean(dsc), sd(dsc), mean(nsd), sd(nsd)));
            }
            double[] dsc = new double[macro.size()];
            double[] nsd = new double[macro.size()];
            int i = 0;
            for (double[] m : macro.values()) {
                dsc[i] = m[2] == 0 ? Double.NaN : m[0] / m[2];
                nsd[i] = m[3] == 0 ? Double.NaN : m[1] / m[3];
                i++;
            }
            out.add(new Cell(config, AVERAGE, macro.size(), totalCases, mean(dsc), sd(dsc), mean(nsd), sd(nsd)));
        }
        return out;
    }

    static Table toTable(List<Cell> cells, String name) {
        StringColumn config = StringColumn.create("configuration");
        StringColumn modality = StringColumn.create("modality");
        IntColumn seeds = IntColumn.create("seeds");
        IntColumn cases = IntColumn.create("cases");
        DoubleColumn dscMean = DoubleColumn.create("dsc_mean");
        DoubleColumn dscSd = DoubleColumn.create("dsc_sd");
        DoubleColumn nsdMean = DoubleColumn.create("nsd_mean");
        DoubleColumn nsdSd = DoubleColumn.create("nsd_sd");
        for (Cell c : cells) {
            config.append(c.configuration());
            modality.append(c.modality());
            seeds.append(c.seeds());
            cases.append(c.cases());
            dscMean.append(c.dscMean());
            dscSd.append(c.dscSd());
            nsdMean.append(c.nsdMean());
            nsdSd.append(c.nsdSd());
        }
        return Table.create(name, config, modality, seeds, cases, dscMean, dscSd, nsdMean, nsdSd);
    }
}

package org.umedsam.report;

import org.umedsam.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Table 3 with statistics: per modality (and the average row last) the number of test cases, each
 * configuration's DSC and NSD as mean ± sd over seeds, each other configuration's paired
 * difference to {@code baseline} and {@code full - no-sam} (the one comparison that isolates SAM)
 * with a 95 % bootstrap interval over cases and seeds ({@link PairedBootstrap}), and, when a row
 * has fewer than {@value #MIN_CASES} cases, a flag column; plus one computed sentence on whether
 * the paper's ordering holds ({@link OrderingVerdict}).
 *
 * <p>Conventions are those of {@link Table3} and {@link SeedSummary}: per seed, a modality's score
 * is the mean over its cases (NaN scores skipped); the average row is the mean over modalities of
 * those means (the challenge's per-modality macro average, so the modality with most cases does not
 * dominate); mean and sample sd are then taken over seeds. Differences pair the same case and the
 * same seed number; the average row's difference is the same macro average of the per-modality
 * paired differences, resampled within modalities. All numbers are percent (points for
 * differences).
 *
 * <p>The paper's values: the U-MedSAM paper (Wang et al., "U-MedSAM: Uncertainty-aware MedSAM for
 * Medical Image Segmentation", arXiv:2408.08881, 2024) reports its own Table 3; its numbers could
 * not be read verifiably from the reference material available when this was written, so the notes
 * say so rather than the table carrying a column of numbers that cannot be checked.
 *
 * @param table       the display table (text cells), for notebooks and the md/tex/csv files
 * @param differences the numbers behind the intervals: configuration, reference, modality, metric,
 *                    cases, seeds, mean_pp, lower_pp, upper_pp (percentage points, as the tables print
 *                    them)
 * @param ordering    the sentence on the paper's ordering
 */
public record Table3Statistics(Table table, Table differences, String ordering) {
    /** Rows with fewer cases than this are flagged: their intervals rest on too few cases to mean much. */
    public static final int MIN_CASES = 5;
    /** The reference configuration of the differences. */
    public static final String BASELINE = "baseline";
    /** The configurations whose paired difference isolates SAM: the same loss with and without it. */
    public static final String WITH_SAM = "full";
    public static final String WITHOUT_SAM = "no-sam";
    /** The flag on rows with fewer than {@link #MIN_CASES} cases. */
    public static final String FEW_CASES = "n under " + MIN_CASES;
    /** The paper whose Table 3 this one mirrors. */
    public static final String PAPER = "Wang et al. 2024, arXiv:2408.08881, Table 3";

    private static final String[] METRICS = {"DSC", "NSD"};

    /** With {@link PairedBootstrap#DEFAULT_RESAMPLES} and {@link PairedBootstrap#DEFAULT_SEED}. */
    public static Table3Statistics of(Table scores) {
        return of(scores, PairedBootstrap.DEFAULT_RESAMPLES, PairedBootstrap.DEFAULT_SEED);
    }

    /**
     * @param scores    per-case scores with {@link ScoreColumns#REQUIRED}
     * @param resamples bootstrap resamples
     * @param rngSeed   bootstrap random seed
     */
    public static Table3Statistics of(Table scores, int resamples, long rngSeed) {
        ScoreColumns.check(scores);
        if (scores.rowCount() == 0) {
            throw new IllegalArgumentException(scores.name() + ": score table has no rows");
        }
        Scores s = Scores.of(scores);
        List<SeedSummary.Cell> cells = SeedSummary.cells(scores);
        Map<String, Map<String, SeedSummary.Cell>> byModality = new LinkedHashMap<>();
        for (SeedSummary.Cell c : cells) {
            byModality.computeIfAbsent(c.modality(), k -> new LinkedHashMap<>()).put(c.configuration(), c);
        }
        List<String> configs = Ordering.configurations(s.configs());
        List<String> modalities = Ordering.modalities(s.modalityOf.values());
        List<String> rows = new ArrayList<>(modalities);
        rows.add(SeedSummary.AVERAGE);
        // {configuration, reference}: each to baseline, then full - no-sam
        List<String[]> pairs = new ArrayList<>();
        if (s.configs().contains(BASELINE)) {
            configs.stream().filter(c -> !c.equals(BASELINE)).forEach(c -> pairs.add(new String[] {c, BASELINE}));
        }
        if (s.configs().contains(WITH_SAM) && s.configs().contains(WITHOUT_SAM)) {
            pairs.add(new String[] {WITH_SAM, WITHOUT_SAM});
        }
        Set<String> synthetic = Table3.syntheticModalities(scores);

        Table diffs = differencesTable();
        // row -> pair index -> metric -> interval
        Map<String, List<PairedBootstrap.Interval[]>> intervals = new LinkedHashMap<>();
        for (String row : rows) {
            List<String> only = row.equals(SeedSummary.AVERAGE) ? modalities : List.of(row);
            for (String[] pair : pairs) {
                PairedBootstrap.Interval[] iv = new PairedBootstrap.Interval[METRICS.length];
                for (int m = 0; m < METRICS.length; m++) {
                    iv[m] = s.difference(pair[0], pair[1], only, m, resamples, rngSeed);
                    addDifference(diffs, pair[0], pair[1], row, METRICS[m], iv[m]);
                }
                intervals.computeIfAbsent(row, k -> new ArrayList<>()).add(iv);
            }
        }
        List<String> clauses = new ArrayList<>();
        List<String> missing = OrderingVerdict.PAPER_ORDER.stream().filter(c -> !s.configs().contains(c)).toList();
        for (int m = 0; m < METRICS.length; m++) {
            List<OrderingVerdict.Step> steps = new ArrayList<>();
            if (missing.isEmpty()) {
                for (String[] pair : OrderingVerdict.adjacentPairs()) {
                    PairedBootstrap.Interval iv = s.difference(pair[0], pair[1], modalities, m, resamples, rngSeed);
                    if (pairs.stream().noneMatch(p -> p[0].equals(pair[0]) && p[1].equals(pair[1]))) {
                        addDifference(diffs, pair[0], pair[1], SeedSummary.AVERAGE, METRICS[m], iv);
                    }
                    steps.add(new OrderingVerdict.Step(pair[0], pair[1], iv));
                }
            }
            clauses.add(OrderingVerdict.clause(METRICS[m], steps, missing));
        }
        String sentence = OrderingVerdict.sentence(clauses);

        Table t = Table.create("Table 3: DSC and NSD (%) per modality, mean ± sd over seeds; paired differences to "
                + BASELINE + " and " + WITH_SAM + " - " + WITHOUT_SAM + " (points) with 95 % bootstrap intervals");
        StringColumn modality = StringColumn.create("Modality");
        StringColumn n = StringColumn.create("n");
        for (String row : rows) {
            modality.append(Table3.displayModality(row) + (synthetic.contains(row) ? " (synthetic)" : ""));
            // the average weighs modalities equally, so its case count alone would overstate what it rests on
            n.append(row.equals(SeedSummary.AVERAGE)
                    ? s.modalityOf.size() + " (" + modalities.size() + " modalities, equal weight)"
                    : Integer.toString(s.casesIn(row)));
        }
        t.addColumns(modality, n);
        for (String c : configs) {
            StringColumn dsc = StringColumn.create(c + " DSC");
            StringColumn nsd = StringColumn.create(c + " NSD");
            for (String row : rows) {
                SeedSummary.Cell cell = byModality.getOrDefault(row, Map.of()).get(c);
                dsc.append(cell == null ? "–" : Table3.percent(cell.dscMean(), cell.dscSd()));
                nsd.append(cell == null ? "–" : Table3.percent(cell.nsdMean(), cell.nsdSd()));
            }
            t.addColumns(dsc, nsd);
        }
        for (int p = 0; p < pairs.size(); p++) {
            for (int m = 0; m < METRICS.length; m++) {
                StringColumn col = StringColumn.create(pairs.get(p)[0] + " - " + pairs.get(p)[1] + " " + METRICS[m]);
                for (String row : rows) {
                    col.append(OrderingVerdict.points(intervals.get(row).get(p)[m]));
                }
                t.addColumns(col);
            }
        }
        // a column of dashes says nothing: the flag column is there only when a row has too few cases
        if (modalities.stream().anyMatch(m -> s.casesIn(m) < MIN_CASES)) {
            StringColumn flag = StringColumn.create("Flag");
            for (String row : rows) {
                boolean few = !row.equals(SeedSummary.AVERAGE) && s.casesIn(row) < MIN_CASES;
                flag.append(few ? FEW_CASES : "");
            }
            t.addColumns(flag);
        }
        return new Table3Statistics(t, diffs, sentence);
    }

    /**
     * Writes {@code dir/name.csv}, {@code .md} and {@code .tex} (the markdown and LaTeX with the
     * ordering sentence and the notes below the table) and {@code dir/name-differences.csv}.
     *
     * @return the files written
     */
    public List<Path> write(Path dir, String name) throws IOException {
        List<Path> files = new ArrayList<>(TableRenderer.writeAllWithNotes(table, dir, name, caption(),
                "tab:ablation-statistics", notes()));
        Path diffs = dir.resolve(name + "-differences.csv");
        AtomicFiles.writeString(diffs, TableRenderer.csv(differences));
        files.add(diffs);
        return files;
    }

    /** The caption used in the LaTeX file. */
    public static String caption() {
        return "DSC and NSD (%) per modality on the test split, mean ± sd over seeds; Average is the unweighted mean"
                + " over modalities; paired differences to " + BASELINE + " and " + WITH_SAM + " - " + WITHOUT_SAM
                + " (isolating SAM) in percentage points with 95 % bootstrap intervals over cases and seeds";
    }

    /** The ordering sentence and the table's notes, as plain text. */
    public String notes() {
        String flag = table.containsColumn("Flag") ? " Flag '" + FEW_CASES + "': fewer than " + MIN_CASES
                + " test cases, too few for the interval to mean much." : "";
        return ordering + "\n\nn: test cases. Average: the unweighted mean over modalities of the per-modality means"
                + " (per seed; every modality weighs the same whatever its number of cases), then mean ± sd over"
                + " seeds. Differences pair the same case and seed; " + WITH_SAM + " - " + WITHOUT_SAM
                + " differ only in SAM. Intervals are percentile bootstrap intervals (Efron and Tibshirani 1993)"
                + " resampling cases (within modality) and seeds." + flag + " The paper's own Table 3 (" + PAPER
                + ") is not shown: its numbers could not be verified from the material available here.";
    }

    private static Table differencesTable() {
        return Table.create("Table 3 paired differences", StringColumn.create("configuration"),
                StringColumn.create("reference"), StringColumn.create("modality"), StringColumn.create("metric"),
                IntColumn.create("cases"), IntColumn.create("seeds"), DoubleColumn.create("mean_pp"),
                DoubleColumn.create("lower_pp"), DoubleColumn.create("upper_pp"));
    }

    private static void addDifference(Table t, String config, String reference, String modality, String metric,
                                      PairedBootstrap.Interval iv) {
        t.stringColumn("configuration").append(config);
        t.stringColumn("reference").append(reference);
        t.stringColumn("modality").append(modality);
        t.stringColumn("metric").append(metric);
        t.intColumn("cases").append(iv.cases());
        t.intColumn("seeds").append(iv.seeds());
        // percentage points, the unit every table prints differences in
        t.doubleColumn("mean_pp").append(100 * iv.mean());
        t.doubleColumn("lower_pp").append(100 * iv.lower());
        t.doubleColumn("upper_pp").append(100 * iv.upper());
    }

    /** Per-case scores indexed as configuration -> seed -> case -> {dsc, nsd}. */
    private record Scores(Map<String, Map<Long, Map<String, double[]>>> values, Map<String, String> modalityOf) {
        static Scores of(Table scores) {
            Map<String, Map<Long, Map<String, double[]>>> values = new LinkedHashMap<>();
            Map<String, String> modalityOf = new LinkedHashMap<>();
            NumericColumn<?> seed = (NumericColumn<?>) scores.column(ScoreColumns.SEED);
            double[] dsc = Tables.doubles(scores, ScoreColumns.DSC);
            double[] nsd = Tables.doubles(scores, ScoreColumns.NSD);
            for (int r = 0; r < scores.rowCount(); r++) {
                String c = scores.stringColumn(ScoreColumns.CONFIGURATION).get(r);
                String id = scores.stringColumn(ScoreColumns.CASE).get(r);
                String m = scores.stringColumn(ScoreColumns.MODALITY).get(r);
                String before = modalityOf.putIfAbsent(id, m);
                if (before != null && !before.equals(m)) {
                    throw new IllegalArgumentException(scores.name() + ": case '" + id + "' has modality '" + m
                            + "' in one row and '" + before + "' in another");
                }
                values.computeIfAbsent(c, k -> new LinkedHashMap<>())
                        .computeIfAbsent((long) seed.getDouble(r), k -> new LinkedHashMap<>())
                        .put(id, new double[] {dsc[r], nsd[r]});
            }
            return new Scores(values, modalityOf);
        }

        Set<String> configs() {
            return values.keySet();
        }

        int casesIn(String modality) {
            return (int) modalityOf.values().stream().filter(modality::equals).count();
        }

        /**
         * {@code a - b} on metric {@code m} over the seeds and cases (of {@code modalities}) both
         * have; NaN interval when they share none.
         */
        PairedBootstrap.Interval difference(String a, String b, List<String> modalities, int m, int resamples,
                                            long rngSeed) {
            Map<Long, Map<String, double[]>> va = values.getOrDefault(a, Map.of());
            Map<Long, Map<String, double[]>> vb = values.getOrDefault(b, Map.of());
            List<Long> seeds = new ArrayList<>(new TreeMap<>(va).keySet());
            seeds.retainAll(vb.keySet());
            LinkedHashSet<String> cases = new LinkedHashSet<>();
            for (String id : modalityOf.keySet()) {
                if (!modalities.contains(modalityOf.get(id))) {
                    continue;
                }
                boolean everywhere = !seeds.isEmpty();
                for (long s : seeds) {
                    everywhere &= va.get(s).containsKey(id) && vb.get(s).containsKey(id);
                }
                if (everywhere) {
                    cases.add(id);
                }
            }
            if (cases.isEmpty()) {
                return new PairedBootstrap.Interval(Double.NaN, Double.NaN, Double.NaN, 0, seeds.size());
            }
            List<String> ids = new ArrayList<>(cases);
            List<String> strata = Ordering.modalities(ids.stream().map(modalityOf::get).toList());
            int[] stratum = new int[ids.size()];
            double[][] diff = new double[seeds.size()][ids.size()];
            for (int j = 0; j < ids.size(); j++) {
                stratum[j] = strata.indexOf(modalityOf.get(ids.get(j)));
                for (int i = 0; i < seeds.size(); i++) {
                    diff[i][j] = va.get(seeds.get(i)).get(ids.get(j))[m] - vb.get(seeds.get(i)).get(ids.get(j))[m];
                }
            }
            return PairedBootstrap.interval(diff, stratum, 0.95, resamples, rngSeed);
        }
    }
}

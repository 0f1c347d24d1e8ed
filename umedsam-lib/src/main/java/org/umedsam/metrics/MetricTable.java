package org.umedsam.metrics;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.umedsam.io.AtomicFiles;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Accumulates {@link CaseScore}s (thread-safe) and aggregates them per case, per modality and
 * overall as Tablesaw tables. Synthetic cases ({@link CaseName#synthetic()}) carry a flag in every
 * table and are grouped apart from real ones.
 *
 * <p>Means over cases skip NaN values (a case whose classes are all absent from both masks has a
 * NaN DSC, as in the challenge's script; pandas' {@code mean} skips it the same way) and the
 * {@code cases} columns count all cases. HD95 and ASD are infinite for a case with a class missing
 * from one side; their means are over the finite cases, and {@code surface_missing} counts the others.
 */
public final class MetricTable {
    private final List<CaseScore> scores = new ArrayList<>();

    /** Adds one case's scores. */
    public synchronized void add(CaseScore score) {
        scores.add(score);
    }

    /** The cases added so far, ordered by name. */
    public synchronized List<CaseScore> scores() {
        List<CaseScore> out = new ArrayList<>(scores);
        out.sort(Comparator.comparing(CaseScore::name));
        return out;
    }

    /** Number of cases added. */
    public synchronized int size() {
        return scores.size();
    }

    /** One row per case: case, dimension, modality, synthetic, classes, dsc, nsd, hd95, asd. */
    public Table perCase() {
        List<CaseScore> all = scores();
        StringColumn name = StringColumn.create("case");
        StringColumn dim = StringColumn.create("dimension");
        StringColumn modality = StringColumn.create("modality");
        BooleanColumn synthetic = BooleanColumn.create("synthetic");
        IntColumn classes = IntColumn.create("classes");
        DoubleColumn dsc = DoubleColumn.create("dsc");
        DoubleColumn nsd = DoubleColumn.create("nsd");
        DoubleColumn hd95 = DoubleColumn.create("hd95");
        DoubleColumn asd = DoubleColumn.create("asd");
        for (CaseScore s : all) {
            name.append(s.name());
            dim.append(s.caseName().dimension());
            modality.append(s.caseName().modality());
            synthetic.append(s.caseName().synthetic());
            classes.append(s.classes());
            dsc.append(s.dsc());
            nsd.append(s.nsd());
            hd95.append(s.hd95());
            asd.append(s.asd());
        }
        return Table.create("per case", name, dim, modality, synthetic, classes, dsc, nsd, hd95, asd);
    }

    /**
     * One row per (modality, synthetic): cases, and the mean and standard deviation over cases of
     * DSC and NSD, and the mean HD95 and ASD. Rows ordered real before synthetic, then by modality.
     */
    public Table perModality() {
        Map<String, List<CaseScore>> groups = new TreeMap<>();
        for (CaseScore s : scores()) {
            String key = (s.caseName().synthetic() ? "1" : "0") + "\u0000" + s.caseName().modality();
            groups.computeIfAbsent(key, x -> new ArrayList<>()).add(s);
        }
        StringColumn modality = StringColumn.create("modality");
        BooleanColumn synthetic = BooleanColumn.create("synthetic");
        Table t = Table.create("per modality", modality, synthetic);
        IntColumn cases = IntColumn.create("cases");
        DoubleColumn dsc = DoubleColumn.create("dsc");
        DoubleColumn dscSd = DoubleColumn.create("dsc_sd");
        DoubleColumn nsd = DoubleColumn.create("nsd");
        DoubleColumn nsdSd = DoubleColumn.create("nsd_sd");
        DoubleColumn hd95 = DoubleColumn.create("hd95");
        DoubleColumn asd = DoubleColumn.create("asd");
        IntColumn missing = IntColumn.create("surface_missing");
        for (List<CaseScore> g : groups.values()) {
            modality.append(g.get(0).caseName().modality());
            synthetic.append(g.get(0).caseName().synthetic());
            cases.append(g.size());
            dsc.append(meanSkippingNaN(g, CaseScore::dsc));
            dscSd.append(sdSkippingNaN(g, CaseScore::dsc));
            nsd.append(meanSkippingNaN(g, CaseScore::nsd));
            nsdSd.append(sdSkippingNaN(g, CaseScore::nsd));
            hd95.append(meanOfFinite(g, CaseScore::hd95));
            asd.append(meanOfFinite(g, CaseScore::asd));
            missing.append(countInfinite(g));
        }
        return t.addColumns(cases, dsc, dscSd, nsd, nsdSd, hd95, asd, missing);
    }

    /**
     * Means over cases: a row {@code all}, and when both kinds are present also {@code real} and
     * {@code synthetic}.
     */
    public Table overall() {
        List<CaseScore> all = scores();
        List<CaseScore> real = all.stream().filter(s -> !s.caseName().synthetic()).toList();
        List<CaseScore> synth = all.stream().filter(s -> s.caseName().synthetic()).toList();
        StringColumn scope = StringColumn.create("scope");
        IntColumn cases = IntColumn.create("cases");
        DoubleColumn dsc = DoubleColumn.create("dsc");
        DoubleColumn nsd = DoubleColumn.create("nsd");
        DoubleColumn hd95 = DoubleColumn.create("hd95");
        DoubleColumn asd = DoubleColumn.create("asd");
        IntColumn missing = IntColumn.create("surface_missing");
        List<Map.Entry<String, List<CaseScore>>> rows = new ArrayList<>();
        rows.add(Map.entry("all", all));
        if (!real.isEmpty() && !synth.isEmpty()) {
            rows.add(Map.entry("real", real));
            rows.add(Map.entry("synthetic", synth));
        }
        for (Map.Entry<String, List<CaseScore>> r : rows) {
            scope.append(r.getKey());
            cases.append(r.getValue().size());
            dsc.append(meanSkippingNaN(r.getValue(), CaseScore::dsc));
            nsd.append(meanSkippingNaN(r.getValue(), CaseScore::nsd));
            hd95.append(meanOfFinite(r.getValue(), CaseScore::hd95));
            asd.append(meanOfFinite(r.getValue(), CaseScore::asd));
            missing.append(countInfinite(r.getValue()));
        }
        return Table.create("overall", scope, cases, dsc, nsd, hd95, asd, missing);
    }

    /**
     * Writes the challenge's CSV, {@code case,dsc,nsd}, one row per case ordered by name, values
     * rounded to {@code decimals} places as {@code np.round} does (NaN written empty, as pandas
     * does). Written to a temporary file and renamed into place.
     */
    public void writeChallengeCsv(Path file, int decimals) throws IOException {
        if (decimals < 0 || decimals > 17) {
            throw new IllegalArgumentException("decimals must be 0..17, got " + decimals);
        }
        StringBuilder sb = new StringBuilder("case,dsc,nsd\n");
        for (CaseScore s : scores()) {
            sb.append(s.name()).append(',').append(formatRounded(s.dsc(), decimals)).append(',')
                    .append(formatRounded(s.nsd(), decimals)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Writes {@link #perCase()} as CSV (all columns, full precision), atomically. */
    public void writePerCaseCsv(Path file) throws IOException {
        Table t = perCase();
        StringBuilder sb = new StringBuilder(String.join(",", t.columnNames())).append('\n');
        for (int r = 0; r < t.rowCount(); r++) {
            for (int c = 0; c < t.columnCount(); c++) {
                if (c > 0) {
                    sb.append(',');
                }
                Object v = t.column(c).get(r);
                if (v instanceof Double d) {
                    sb.append(Double.isNaN(d) ? "" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : d.toString());
                } else {
                    sb.append(v);
                }
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * {@code x} rounded half-to-even at {@code decimals} places ({@code np.round}: {@code rint(x 10^d) / 10^d}),
     * printed without trailing zeros but with at least one decimal, like Python's float repr.
     */
    public static String formatRounded(double x, int decimals) {
        if (Double.isNaN(x)) {
            return "";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        double scale = Math.pow(10, decimals);
        double r = Math.rint(x * scale) / scale;
        BigDecimal b = new BigDecimal(r).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (b.scale() <= 0) {
            b = b.setScale(1);
        }
        return b.toPlainString();
    }

    private static double meanSkippingNaN(List<CaseScore> g, ToDoubleFunction<CaseScore> f) {
        return NanStatistics.mean(values(g, f));
    }

    private static double[] values(List<CaseScore> g, ToDoubleFunction<CaseScore> f) {
        return g.stream().mapToDouble(f).toArray();
    }

    private static double meanOfFinite(List<CaseScore> g, ToDoubleFunction<CaseScore> f) {
        double s = 0;
        int n = 0;
        for (CaseScore c : g) {
            double v = f.applyAsDouble(c);
            if (Double.isFinite(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    private static int countInfinite(List<CaseScore> g) {
        int n = 0;
        for (CaseScore c : g) {
            if (Double.isInfinite(c.hd95())) {
                n++;
            }
        }
        return n;
    }

    private static double sdSkippingNaN(List<CaseScore> g, ToDoubleFunction<CaseScore> f) {
        return NanStatistics.sd(values(g, f));
    }
}

package org.umedsam.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.umedsam.report.EfficiencyTable;
import org.umedsam.report.Html;
import org.umedsam.report.Ordering;
import org.umedsam.report.RunRecords;
import org.umedsam.report.RunsDirectory;
import org.umedsam.report.ScoreColumns;
import org.umedsam.report.SharpnessSummary;
import org.umedsam.report.Table3Statistics;
import org.umedsam.viz.PaperFigures;
import org.umedsam.viz.SigmaTrajectories;
import tech.tablesaw.api.Table;

/**
 * The closing "what this shows" of each notebook, computed from the runs rather than written beforehand: each
 * method returns a short list of sentences ({@link Html}, shown as a list in the notebook and as lines in text).
 * Numbers are means over seeds unless said otherwise; where the runs cannot carry a conclusion the sentence
 * says so.
 */
public final class Findings {
    private Findings() {
    }

    /** Notebook 02/03: how far each configuration's training objective fell. */
    public static Html training(RunsDirectory runs) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<RunRecords>> e : byConfiguration(runs).entrySet()) {
            double first = 0;
            double last = 0;
            int steps = 0;
            for (RunRecords r : e.getValue()) {
                RunRecords.LossTrend trend = r.lossTrend();
                first += trend.first() / e.getValue().size();
                last += trend.last() / e.getValue().size();
                steps = Math.max(steps, trend.steps());
            }
            // the uncertainty-weighted objective goes negative (its log-sigma terms), so a relative change means nothing
            String change = first > 0 && last >= 0 ? String.format(Locale.ROOT, "%+.1f %%", 100 * (last / first - 1))
                    : String.format(Locale.ROOT, "a change of %+.4g", last - first);
            out.add(String.format(Locale.ROOT, "%s (%d seed%s, %d steps): the training objective went from %.4g (mean of "
                    + "the first quarter of steps) to %.4g (last quarter), %s", e.getKey(), e.getValue().size(),
                    e.getValue().size() == 1 ? "" : "s", steps, first, last, change));
        }
        return list("Training", out);
    }

    /**
     * Notebook 04: where each learned sigma settled against its equilibrium {@code sqrt(L_m)} (paper form), and
     * the effective weight {@code 1/(2 sigma^2)} it gives the term.
     */
    public static Html sigmas(RunsDirectory runs) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<RunRecords>> e : byConfiguration(runs).entrySet()) {
            List<RunRecords> group = e.getValue();
            if (group.get(0).sigmaTerms().isEmpty()) {
                continue;
            }
            boolean codeForm = "code".equals(configString(group.get(0), "uncertaintyForm"));
            for (String term : group.get(0).sigmaTerms()) {
                double sigma = 0;
                double eq = 0;
                double weight = 0; // the mean of the seeds' weights, as 04-effective-weights draws it

                for (RunRecords r : group) {
                    double[] s = r.stepColumn(RunRecords.SIGMA_PREFIX + term);
                    double[] l = r.stepColumn(RunRecords.LOSS_PREFIX + term);
                    int tail = Math.max(1, l.length / 5);
                    sigma += s[s.length - 1] / group.size();
                    weight += 1 / (2 * s[s.length - 1] * s[s.length - 1]) / group.size();
                    eq += SigmaTrajectories.equilibrium(mean(l, l.length - tail, l.length), codeForm) / group.size();
                }
                double gap = sigma / eq - 1;
                out.add(String.format(Locale.ROOT, "%s, %s: sigma went from 1 to %.3f (its equilibrium, from the mean loss over the last fifth of the steps, is %.3f: %s); "
                        + "effective weight 1/(2 sigma^2) = %.3g instead of 0.5%s", e.getKey(), term, sigma, eq,
                        Math.abs(gap) < 0.1 ? "settled within 10 %" : String.format(Locale.ROOT, "still %+.0f %% away",
                                100 * gap), weight, group.size() > 1 ? " (means over " + group.size() + " seeds)" : ""));
            }
        }
        if (out.isEmpty()) {
            out.add("no run learns sigmas (every configuration has fixed weights)");
        }
        return list("Sigmas", out);
    }

    /**
     * Notebook 03: mean DSC per configuration as Table 3's Average row gives it (per seed the unweighted mean over
     * modalities, then mean ± sd over seeds; a plain mean over cases would be mostly the largest modality) and the
     * computed sentence on the paper's ordering.
     */
    public static Html ablation(RunsDirectory runs) throws IOException {
        Table scores = runs.scores();
        List<String> out = new ArrayList<>();
        List<org.umedsam.report.SeedSummary.Cell> cells = org.umedsam.report.SeedSummary.cells(scores);
        for (org.umedsam.report.SeedSummary.Cell c : cells) {
            if (c.modality().equals(org.umedsam.report.SeedSummary.AVERAGE)) {
                long modalities = cells.stream().filter(m -> m.configuration().equals(c.configuration())
                        && !m.modality().equals(org.umedsam.report.SeedSummary.AVERAGE)).count();
                out.add(String.format(Locale.ROOT, "%s: mean test DSC %s %% (each of %d modalities weighing the same; "
                                + "%d cases, %d seed%s)", c.configuration(),
                        org.umedsam.report.Table3.percent(c.dscMean(), c.dscSd()), modalities, c.cases(), c.seeds(),
                        c.seeds() == 1 ? "" : "s"));
            }
        }
        out.add(Table3Statistics.of(scores).ordering());
        return list("Ablation", out);
    }

    /**
     * Notebook 06: the cases the two qualitative figures show ({@link PaperFigures#qualitativePicks}: ranked by the
     * first seed's runs, one per modality where possible), each with its DSC averaged over every run (all
     * configurations and seeds) and the spread across runs. Without kept examples, the three best and worst test
     * cases by that average.
     */
    public static Html cases(RunsDirectory runs) throws IOException {
        Table scores = runs.scores();
        Map<String, double[]> byCase = new LinkedHashMap<>(); // sum, n, min, max
        Map<String, String> modality = new LinkedHashMap<>();
        for (int i = 0; i < scores.rowCount(); i++) {
            double d = scores.doubleColumn(ScoreColumns.DSC).getDouble(i);
            if (!Double.isFinite(d)) {
                continue;
            }
            String c = scores.stringColumn(ScoreColumns.CASE).get(i);
            modality.put(c, scores.stringColumn(ScoreColumns.MODALITY).get(i));
            double[] a = byCase.computeIfAbsent(c, k -> new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
            a[0] += d;
            a[1]++;
            a[2] = Math.min(a[2], d);
            a[3] = Math.max(a[3], d);
        }
        List<String> out = new ArrayList<>();
        List<String> good = new ArrayList<>();
        List<String> challenging = new ArrayList<>();
        PaperFigures.QualitativePicks picks = PaperFigures.qualitativePicks(runs);
        if (picks != null) {
            String seeds = picks.seeds().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
            out.add("The figures' cases, picked by the mean DSC over configurations of the seed " + seeds + " runs"
                    + " (one per modality where possible); the numbers below "
                    + "average every run of every seed, so their order can differ from the figures'");
            good.addAll(picks.good());
            challenging.addAll(picks.challenging());
        } else {
            List<String> names = new ArrayList<>(byCase.keySet());
            names.sort(java.util.Comparator.comparingDouble(c -> -byCase.get(c)[0] / byCase.get(c)[1]));
            int k = Math.min(3, names.size() / 2);
            good.addAll(names.subList(0, k));
            List<String> worst = new ArrayList<>(names.subList(Math.max(k, names.size() - k), names.size()));
            java.util.Collections.reverse(worst); // worst first, as the challenging figure orders them
            challenging.addAll(worst);
        }
        for (String c : good) {
            out.add(caseLine("good:", c, modality.get(c), byCase.get(c)));
        }
        for (String c : challenging) {
            out.add(caseLine("challenging:", c, modality.get(c), byCase.get(c)));
        }
        return list("Qualitative", out);
    }

    private static String caseLine(String kind, String caseId, String modality, double[] a) {
        if (a == null) {
            return String.format(Locale.ROOT, "%s %s: no finite DSC in the runs' scores", kind, caseId);
        }
        return String.format(Locale.ROOT, "%s %s (%s): mean DSC %.1f %% over %d run%s, from %.1f to %.1f %% across them",
                kind, caseId, modality, 100 * a[0] / a[1], (int) a[1], a[1] == 1 ? "" : "s", 100 * a[2], 100 * a[3]);
    }

    /** Notebook 05: the configurations ranked by mean sharpness, and whether their seed ranges overlap. */
    public static Html sharpness(RunsDirectory runs) throws IOException {
        Table perSeed = runs.sharpness();
        if (perSeed == null) {
            return list("Sharpness", List.of("no run has a sharpness estimate"));
        }
        Table t = SharpnessSummary.of(perSeed);
        List<String> out = new ArrayList<>();
        double lowest = Double.POSITIVE_INFINITY;
        double lowestHigh = 0;
        String best = null;
        for (int r = 0; r < t.rowCount(); r++) {
            double m = t.doubleColumn("sharpness_mean").getDouble(r);
            double sd = t.doubleColumn("sharpness_sd").getDouble(r);
            out.add(String.format(Locale.ROOT, "%s: sharpness %.4g ± %.2g over %d seed(s), common objective at the weights "
                    + "%.4g", t.stringColumn("configuration").get(r), m, Double.isNaN(sd) ? 0 : sd,
                    t.intColumn("seeds").getInt(r), t.doubleColumn("loss_mean").getDouble(r)));
            if (m < lowest) {
                lowest = m;
                lowestHigh = m + (Double.isNaN(sd) ? 0 : sd);
                best = t.stringColumn("configuration").get(r);
            }
        }
        int fewestSeeds = Integer.MAX_VALUE;
        for (int r = 0; r < t.rowCount(); r++) {
            fewestSeeds = Math.min(fewestSeeds, t.intColumn("seeds").getInt(r));
        }
        boolean separated = fewestSeeds >= 2;
        for (int r = 0; r < t.rowCount(); r++) {
            String c = t.stringColumn("configuration").get(r);
            double m = t.doubleColumn("sharpness_mean").getDouble(r);
            double sd = t.doubleColumn("sharpness_sd").getDouble(r);
            if (!c.equals(best) && m - (Double.isNaN(sd) ? 0 : sd) <= lowestHigh) {
                separated = false;
            }
        }
        out.add(best == null ? "no sharpness values" : best + " has the flattest minimum by mean; " + (separated
                ? "its mean ± SD range does not overlap the others'"
                : fewestSeeds < 2 ? "but with one seed there is no spread, so this ranking cannot be told from seed noise"
                : "but the mean ± SD ranges overlap, so the seeds do not separate the configurations")
                + " (the paper's claim is that SAM finds flatter minima)");
        return list("Sharpness", out);
    }

    /** Notebook 07: full against baseline inference time, from the interleaved timing when there is one. */
    public static Html efficiency(RunsDirectory runs) throws IOException {
        List<String> out = new ArrayList<>();
        Table t = Files.isRegularFile(runs.dir().resolve(EfficiencyTable.FILE)) ? EfficiencyTable.read(runs.dir()) : null;
        Table timings = t != null ? t : runs.timings();
        if (timings == null) {
            return list("Efficiency", List.of("no timings"));
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, java.util.Set<String>> cases = new LinkedHashMap<>();
        for (int i = 0; i < timings.rowCount(); i++) {
            String config = timings.stringColumn("configuration").get(i);
            double[] s = sums.computeIfAbsent(config, k -> new double[2]);
            s[0] += ((tech.tablesaw.api.NumericColumn<?>) timings.column("seconds")).getDouble(i);
            s[1]++;
            cases.computeIfAbsent(config, k -> new java.util.HashSet<>()).add(timings.stringColumn("case").get(i));
        }
        // a case timed in several repeats is one case: say both counts
        sums.forEach((c, s) -> out.add(String.format(Locale.ROOT, "%s: %.3f s per case on average (%d cases, %d timings)",
                c, s[0] / s[1], cases.get(c).size(), (int) s[1])));
        if (sums.containsKey("baseline") && sums.containsKey("full")) {
            double ratio = (sums.get("full")[0] / sums.get("full")[1]) / (sums.get("baseline")[0] / sums.get("baseline")[1]);
            out.add(String.format(Locale.ROOT, "full / baseline = %.2f: the same architecture, so any difference is "
                    + "measurement noise%s", ratio, t != null ? " (timed interleaved)" : " (timed in separate runs)"));
        }
        return list("Efficiency", out);
    }

    private static Map<String, List<RunRecords>> byConfiguration(RunsDirectory runs) {
        Map<String, List<RunRecords>> raw = new LinkedHashMap<>();
        for (RunRecords r : runs.runs()) {
            raw.computeIfAbsent(r.configuration(), k -> new ArrayList<>()).add(r);
        }
        Map<String, List<RunRecords>> out = new LinkedHashMap<>();
        for (String c : Ordering.configurations(raw.keySet())) {
            out.put(c, raw.get(c));
        }
        return out;
    }

    private static String configString(RunRecords r, String key) {
        return r.config() != null && r.config().has(key) ? r.config().get(key).getAsString() : null;
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(v[i])) {
                s += v[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    private static Html list(String title, List<String> sentences) {
        StringBuilder h = new StringBuilder("<p><b>What this shows (" + Html.escape(title) + ")</b></p><ul>");
        StringBuilder t = new StringBuilder("What this shows (" + title + "):\n");
        for (String s : sentences) {
            h.append("<li>").append(Html.escape(s)).append("</li>");
            t.append("- ").append(s).append('\n');
        }
        return new Html(h.append("</ul>").toString(), t.toString().stripTrailing());
    }
}

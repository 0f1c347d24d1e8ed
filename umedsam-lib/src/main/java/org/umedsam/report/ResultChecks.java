package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tech.tablesaw.api.Table;

/**
 * Says when a folder of ablation runs cannot support the conclusions its figures invite: scores that are all zero
 * or NaN, a run that did not train, sigmas that did not move (uncertainty weighting then acts as fixed weights
 * of 1/2), per-modality rows resting on few cases, a plus-minus over fewer than two seeds. The notebooks show the
 * result as a visible warning and the {@code ablations} command prints it in its exit summary; a clean folder
 * gives no warning.
 *
 * <p>Thresholds: a sigma "did not move" when {@code |sigma_end / sigma_start - 1| <} {@value #SIGMA_MOVED}
 * for every term of the run; a training loss "did not decrease" when the mean of the last quarter of steps
 * is not below that of the first quarter; a row rests on few cases below {@value #MIN_CASES} cases.
 */
public final class ResultChecks {
    /** Relative change under which a run's sigmas count as unmoved. */
    public static final double SIGMA_MOVED = 0.01;
    /** Test cases a per-modality row needs before its mean is worth a row. */
    public static final int MIN_CASES = 5;

    private ResultChecks() {
    }

    /** The warnings for {@code runs}, one sentence each, in a fixed order (empty when nothing is wrong). */
    public static Warnings check(RunsDirectory runs) throws IOException {
        List<String> out = new ArrayList<>();
        Map<String, TreeSet<Long>> seeds = new TreeMap<>();
        for (RunRecords r : runs.runs()) {
            seeds.computeIfAbsent(r.configuration(), k -> new TreeSet<>()).add(r.seed());
            out.addAll(trainingWarnings(r));
            if (!Files.isRegularFile(r.dir().resolve(RunFiles.SCORES))) {
                out.add(r.name() + " has no test scores (" + RunFiles.SCORES + "): it did not finish");
            }
        }
        seeds.forEach((c, s) -> {
            if (s.size() < 2) {
                out.add(c + " has " + s.size() + " seed: its plus-minus over seeds is not defined and no difference"
                        + " to another configuration can be told from seed noise");
            }
        });
        boolean anyScores = runs.runs().stream().anyMatch(r -> Files.isRegularFile(r.dir().resolve(RunFiles.SCORES)));
        if (anyScores) {
            out.addAll(scoreWarnings(runs.scores()));
        }
        return new Warnings(out);
    }

    /** A run's training warnings: too few steps, a loss that did not decrease, sigmas that did not move. */
    static List<String> trainingWarnings(RunRecords r) {
        List<String> out = new ArrayList<>();
        double[] loss = r.stepColumn(RunRecords.TOTAL);
        if (loss.length < 2) {
            out.add(r.name() + " did not train: " + loss.length + " optimizer step(s)");
            return out;
        }
        RunRecords.LossTrend trend = r.lossTrend();
        if (!trend.decreased()) {
            out.add(String.format(Locale.ROOT, "%s: the training loss did not decrease (mean of the first %d steps "
                    + "%.4g, of the last %d steps %.4g)", r.name(), trend.quarterSteps(), trend.first(),
                    trend.quarterSteps(), trend.last()));
        }
        List<String> terms = r.sigmaTerms();
        if (!terms.isEmpty()) {
            double largest = 0;
            for (String t : terms) {
                double[] s = r.stepColumn(RunRecords.SIGMA_PREFIX + t);
                // sigma starts at 1 (log sigma = 0) before the first step, which steps.csv records after
                largest = Math.max(largest, Math.abs(s[s.length - 1] - 1.0));
            }
            if (largest < SIGMA_MOVED) {
                out.add(String.format(Locale.ROOT, "%s: the sigmas moved by at most %.2f %% from 1, so the uncertainty"
                        + " weighting acted as fixed weights of 1/2 (raise sigmaLearningRate or train longer)",
                        r.name(), 100 * largest));
            }
        }
        return out;
    }

    /** Warnings on the pooled scores ({@link RunsDirectory#scores()}). */
    static List<String> scoreWarnings(Table scores) {
        List<String> out = new ArrayList<>();
        Map<String, double[]> byRun = new TreeMap<>(); // [n, zeros, nans]
        Map<String, double[]> byModality = new TreeMap<>(); // [sum of non-NaN DSC, count]
        Map<String, TreeSet<String>> casesByModality = new TreeMap<>();
        for (int i = 0; i < scores.rowCount(); i++) {
            String run = scores.stringColumn(ScoreColumns.CONFIGURATION).get(i) + "-s"
                    + (long) scores.doubleColumn(ScoreColumns.SEED).getDouble(i);
            String modality = scores.stringColumn(ScoreColumns.MODALITY).get(i);
            double dsc = scores.doubleColumn(ScoreColumns.DSC).getDouble(i);
            double[] r = byRun.computeIfAbsent(run, k -> new double[3]);
            r[0]++;
            if (Double.isNaN(dsc)) {
                r[2]++;
            } else if (dsc == 0) {
                r[1]++;
            }
            if (!Double.isNaN(dsc)) {
                double[] m = byModality.computeIfAbsent(modality, k -> new double[2]);
                m[0] += dsc;
                m[1]++;
            }
            casesByModality.computeIfAbsent(modality, k -> new TreeSet<>())
                    .add(scores.stringColumn(ScoreColumns.CASE).get(i));
        }
        byRun.forEach((run, r) -> {
            if (r[1] + r[2] == r[0]) {
                out.add(String.format(Locale.ROOT, "%s scores DSC 0 or NaN on all %d test cases", run, (int) r[0]));
            } else if (r[2] > 0) {
                out.add(String.format(Locale.ROOT, "%s has NaN DSC on %d of %d test cases", run, (int) r[2], (int) r[0]));
            }
        });
        byModality.forEach((m, s) -> {
            if (s[0] == 0) {
                out.add(m + " scores DSC 0 in every run and case");
            }
        });
        casesByModality.forEach((m, cases) -> {
            if (cases.size() < MIN_CASES) {
                out.add(m + "'s row rests on " + cases.size() + " test case" + (cases.size() == 1 ? "" : "s")
                        + " (fewer than " + MIN_CASES + ")");
            }
        });
        return out;
    }

    /**
     * The warnings as a notebook shows them: {@link #toHtml()} a highlighted box, {@link #toString()} one
     * "WARNING:" line each (or a line saying the checks passed).
     */
    public record Warnings(List<String> messages) {
        public Warnings {
            messages = List.copyOf(messages);
        }

        public boolean isEmpty() {
            return messages.isEmpty();
        }

        @Override
        public String toString() {
            if (messages.isEmpty()) {
                return "result checks passed: every run trained, sigmas moved, scores are non-degenerate";
            }
            StringBuilder s = new StringBuilder();
            for (String m : messages) {
                s.append("WARNING: ").append(m).append('\n');
            }
            return s.toString().stripTrailing();
        }

        /** An HTML box (the Java kernel shows objects with {@code toHtml()} as HTML). */
        public String toHtml() {
            if (messages.isEmpty()) {
                return "<div style=\"border-left:4px solid #009E73;padding:4px 8px\">" + Html.escape(toString())
                        + "</div>";
            }
            StringBuilder s = new StringBuilder("<div style=\"border-left:4px solid #D55E00;background:#FFF4E5;"
                    + "padding:4px 8px\"><b>Warning: these results are degenerate or weak</b><ul>");
            for (String m : messages) {
                s.append("<li>").append(Html.escape(m)).append("</li>");
            }
            return s.append("</ul></div>").toString();
        }
    }
}

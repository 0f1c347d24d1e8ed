package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.Ordering;
import org.umedsam.report.RunRecords;
import org.umedsam.report.Tables;

/**
 * Training curves from run records. Several seeds of one configuration are drawn as their mean
 * (a moving average over steps) with a band of plus-minus one sample standard deviation over
 * seeds; each configuration has its {@link Palette#configuration} colour in every figure.
 */
public final class LossCurves {
    private static final int BAND_ALPHA = 50;
    private static final int MAX_POINTS = 400;

    private LossCurves() {
    }

    /** {@link #perTerm(List)} of one run. */
    public static XYChart perTerm(RunRecords run) {
        return perTerm(List.of(run));
    }

    /**
     * Every {@code loss_<term>} column of the runs of one configuration against step: per term the
     * smoothed mean over seeds and a band of plus-minus one SD over seeds. Logarithmic y when all
     * values are positive and span at least two decades.
     */
    public static XYChart perTerm(List<RunRecords> group) {
        if (group.isEmpty()) {
            throw new IllegalArgumentException("no runs to plot");
        }
        List<String> terms = group.get(0).lossTerms();
        if (terms.isEmpty()) {
            throw new IllegalArgumentException(group.get(0).dir() + ": steps.csv has no loss_<term> columns");
        }
        String config = group.get(0).configuration();
        XYChart chart = newStepChart("Loss terms during training: " + config + " ("
                        + (group.size() > 1 ? "mean ± sd of " + group.size() + " seeds, " : "")
                        + smoothingNote(group) + ")",
                "loss value (unweighted, dimensionless)");
        List<Curve> curves = new ArrayList<>();
        for (String t : terms) {
            Curve c = Curve.of(group, RunRecords.LOSS_PREFIX + t);
            if (c != null) {
                curves.add(c);
            }
        }
        boolean log = curves.stream().allMatch(c -> Series.allPositive(c.lower()))
                && logReadable(curves);
        chart.getStyler().setYAxisLogarithmic(log);
        int k = 0;
        for (int i = 0; i < curves.size(); i++) {
            addCurve(chart, terms.get(i), curves.get(i), Palette.term(k++), log);
        }
        ChartStyle.roundXTicks(chart);
        return chart;
    }

    /**
     * One steps.csv column of every run against step, one curve per configuration (mean over its
     * seeds, band of plus-minus one SD over seeds), in the configuration colours.
     *
     * @param column e.g. {@code loss_total} or {@code loss_dice}
     */
    public static XYChart compare(List<RunRecords> runs, String column, String title, String yLabel) {
        Map<String, List<RunRecords>> byConfig = byConfiguration(runs, column);
        if (byConfig.isEmpty()) {
            throw new IllegalArgumentException("none of the " + runs.size() + " runs has a '" + column + "' column");
        }
        int seeds = byConfig.values().stream().mapToInt(List::size).max().orElse(1);
        List<RunRecords> all = byConfig.values().stream().flatMap(List::stream).toList();
        XYChart chart = newStepChart(title + " (" + (seeds > 1 ? "seed mean ± sd, " : "") + smoothingNote(all) + ")",
                yLabel);
        for (Map.Entry<String, List<RunRecords>> e : byConfig.entrySet()) {
            Curve c = Curve.of(e.getValue(), column);
            if (c != null) {
                addCurve(chart, e.getKey() + seedNote(e.getValue().size()), c, Palette.configuration(e.getKey()), false);
            }
        }
        ChartStyle.roundXTicks(chart);
        return chart;
    }

    /** Axis title of an objective with fixed weights. */
    static final String FIXED_OBJECTIVE = "fixed-weight objective Σ w·L (dimensionless)";
    /** Axis title of an uncertainty-weighted objective (learned sigmas). */
    static final String UNCERTAINTY_OBJECTIVE = "uncertainty-weighted Σ L/(2σ²) + log σ";

    /**
     * The weighted training objective ({@code loss_total}) of every configuration against step. With
     * learned sigmas the objective includes the {@code log sigma} terms and can be negative: it is another
     * function than a fixed-weight sum, and on one axis its level read as "lower loss". So the
     * uncertainty-weighted configurations get the right axis, the fixed-weight ones the left, each titled
     * with its objective; compare shapes, not levels across the axes (the unweighted terms are comparable:
     * {@link #compare}).
     */
    public static XYChart total(List<RunRecords> runs) {
        XYChart chart = compare(runs, RunRecords.TOTAL, "Training objective", FIXED_OBJECTIVE);
        Map<String, List<RunRecords>> byConfig = byConfiguration(runs, RunRecords.TOTAL);
        boolean anyFixed = false;
        boolean anyUncertainty = false;
        for (Map.Entry<String, List<RunRecords>> e : byConfig.entrySet()) {
            boolean uncertainty = e.getValue().stream().anyMatch(r -> !r.sigmaTerms().isEmpty());
            anyFixed |= !uncertainty;
            anyUncertainty |= uncertainty;
            if (!uncertainty) {
                continue;
            }
            String prefix = e.getKey() + seedNote(e.getValue().size());
            for (XYSeries s : chart.getSeriesMap().values()) {
                if (s.getName().equals(prefix) || s.getName().equals(prefix + " ± sd")) {
                    s.setYAxisGroup(1);
                }
            }
        }
        if (anyUncertainty && !anyFixed) {
            // every configuration has sigmas: one axis, titled with that objective
            for (XYSeries s : chart.getSeriesMap().values()) {
                s.setYAxisGroup(0);
            }
            chart.setYAxisTitle(UNCERTAINTY_OBJECTIVE + " (dimensionless)");
        } else if (anyUncertainty) {
            // within the plot's width beside the legend
            chart.setTitle(chart.getTitle().replace("Training objective (", "Training objectives on two axes ("));
            // ChartStyle's hidden tick series (name starts with a blank) took its y from the first series: same axis
            int firstGroup = chart.getSeriesMap().values().iterator().next().getYAxisGroup();
            chart.getSeriesMap().values().stream().filter(s -> s.getName().startsWith(" "))
                    .forEach(s -> s.setYAxisGroup(firstGroup));
            chart.setYAxisGroupTitle(1, UNCERTAINTY_OBJECTIVE);
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            for (XYSeries s : chart.getSeriesMap().values()) {
                if (s.isShowInLegend()) {
                    s.setLabel(s.getName() + (s.getYAxisGroup() == 1 ? ", right axis" : ", left axis"));
                }
            }
        }
        return chart;
    }

    /** {@link #epochs(List)} of one run. */
    public static XYChart epochs(RunRecords run) {
        return epochs(List.of(run));
    }

    /**
     * Training and validation loss (left axis) and validation DSC (right axis, percent) of the runs of
     * one configuration, mean over seeds. With two or more epochs per epoch from epochs.csv; with a
     * single epoch a point per epoch would be one dot, so the training objective is drawn per step
     * (mean and band over seeds) and the end-of-epoch validation values as dashed horizontal lines.
     */
    public static XYChart epochs(List<RunRecords> group) {
        if (group.isEmpty()) {
            throw new IllegalArgumentException("no runs to plot");
        }
        List<RunRecords> withEpochs = group.stream().filter(r -> r.epochs() != null && r.epochs().rowCount() > 0).toList();
        if (withEpochs.isEmpty()) {
            throw new IllegalArgumentException(group.get(0).dir() + ": no epochs.csv");
        }
        String config = group.get(0).configuration();
        int epochs = withEpochs.stream().mapToInt(r -> r.epochs().rowCount()).min().orElse(0);
        return epochs >= 2 ? perEpoch(withEpochs, config, epochs) : perStepWithValidation(group, withEpochs, config);
    }

    /**
     * Left-axis title of the per-epoch figures: with learned sigmas the training and validation values are
     * the uncertainty-weighted objective, log sigma terms included (negative once a sigma drops below 1).
     */
    static String objectiveAxis(List<RunRecords> group) {
        return group.stream().anyMatch(r -> !r.sigmaTerms().isEmpty())
                ? "training objective (weighted, with log σ)" : "loss (fixed-weight sum of terms)";
    }

    /**
     * What each epoch's validation values average over, for the legend: "mean of 36 samples" when every
     * run's run.json records the same count, else says it is not recorded (older runs).
     */
    static String validationNote(List<RunRecords> group) {
        java.util.TreeSet<Integer> counts = new java.util.TreeSet<>();
        for (RunRecords r : group) {
            java.util.OptionalInt n = r.validationSamples();
            if (n.isEmpty()) {
                return "sample count not recorded";
            }
            counts.add(n.getAsInt());
        }
        if (counts.size() != 1) {
            return "mean of " + counts.first() + " to " + counts.last() + " samples";
        }
        int n = counts.first();
        return "mean of " + n + " sample" + (n == 1 ? "" : "s");
    }

    /** " (mean of 3 seeds)", or "" for one run. */
    static String seedMeanNote(int seeds) {
        return seeds > 1 ? " (mean of " + seeds + " seeds)" : "";
    }

    private static XYChart perEpoch(List<RunRecords> group, String config, int epochs) {
        XYChart chart = newChart("Per-epoch loss and validation DSC: " + config + seedMeanNote(group.size()), "epoch",
                objectiveAxis(group));
        String validation = validationNote(group);
        double[] epoch = java.util.Arrays.copyOf(Tables.doubles(group.get(0).epochs(), "epoch"), epochs);
        String[][] lines = {{"train_loss", "training"}, {"val_loss", "validation\n(" + validation + ")"}};
        java.awt.Color[] colours = {Palette.configuration(config), Palette.term(0)};
        int k = 0;
        for (String[] l : lines) {
            double[] y = epochMean(group, l[0], epochs);
            double[][] xy = y == null ? new double[2][0] : Series.finite(epoch, y, false);
            if (xy[0].length > 0) {
                XYSeries s = chart.addSeries(l[1], xy[0], xy[1]);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setLineColor(colours[k]);
                s.setMarkerColor(colours[k]);
            }
            k++;
        }
        double[] dsc = epochMean(group, "val_dsc", epochs);
        if (dsc != null) {
            double[][] xy = Series.finite(epoch, percent(dsc), false);
            if (xy[0].length > 0) {
                XYSeries s = chart.addSeries("validation DSC (right axis)", xy[0], xy[1]);
                s.setLabel("validation DSC, right axis\n(" + validation + ")");
                s.setMarker(SeriesMarkers.DIAMOND);
                s.setLineColor(Palette.term(1));
                s.setMarkerColor(Palette.term(1));
                s.setLineStyle(dashed(1.8f));
                rightPercentAxis(chart, s, "validation DSC (%)");
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            throw new IllegalArgumentException(group.get(0).dir() + ": epochs.csv has no train_loss, val_loss or val_dsc values");
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        ChartStyle.roundXTicks(chart);
        return chart;
    }

    private static XYChart perStepWithValidation(List<RunRecords> group, List<RunRecords> withEpochs, String config) {
        Curve c = Curve.of(group, RunRecords.TOTAL);
        if (c == null) {
            throw new IllegalArgumentException(group.get(0).dir() + ": steps.csv has no loss_total values");
        }
        XYChart chart = newStepChart("Per step, validated after epoch 1: " + config
                + seedMeanNote(group.size()), objectiveAxis(group));
        String validation = validationNote(withEpochs);
        addCurve(chart, "training, per step", c, Palette.configuration(config), false);
        double[] ends = {c.x()[0], c.x()[c.x().length - 1]};
        double[] val = epochMean(withEpochs, "val_loss", 1);
        if (val != null && Double.isFinite(val[0])) {
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "validation after epoch 1: %.3f\n(%s)", val[0],
                            validation),
                    ends, new double[] {val[0], val[0]});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Palette.term(0));
            s.setLineStyle(dashed(2f));
        }
        double[] dsc = epochMean(withEpochs, "val_dsc", 1);
        if (dsc != null && Double.isFinite(dsc[0])) {
            double p = 100 * dsc[0];
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "validation DSC after epoch 1:\n%.1f %% (right axis)\n(%s)",
                            p, validation),
                    ends, new double[] {p, p});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Palette.term(1));
            s.setLineStyle(dashed(2f));
            rightPercentAxis(chart, s, "validation DSC (%)");
        }
        ChartStyle.roundXTicks(chart);
        return chart;
    }

    private static void rightPercentAxis(XYChart chart, XYSeries s, String title) {
        s.setYAxisGroup(1);
        chart.setYAxisGroupTitle(1, title);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setYAxisMin(1, 0.0);
        chart.getStyler().setYAxisMax(1, 100.0);
    }

    /** Per-epoch mean over runs of an epochs.csv column, first {@code n} epochs; null when no run has it. */
    private static double[] epochMean(List<RunRecords> group, String column, int n) {
        List<double[]> curves = new ArrayList<>();
        for (RunRecords r : group) {
            if (r.epochs() != null && r.epochs().containsColumn(column)) {
                curves.add(java.util.Arrays.copyOf(Tables.doubles(r.epochs(), column), n));
            }
        }
        return curves.isEmpty() ? null : Series.mean(curves);
    }

    private static double[] percent(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = 100 * v[i];
        }
        return out;
    }

    static BasicStroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f);
    }

    /** Runs that have {@code column}, grouped by configuration in {@link Ordering} order. */
    static Map<String, List<RunRecords>> byConfiguration(List<RunRecords> runs, String column) {
        Map<String, List<RunRecords>> groups = new LinkedHashMap<>();
        for (RunRecords r : runs) {
            if (column == null || r.steps().containsColumn(column)) {
                groups.computeIfAbsent(r.configuration(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, List<RunRecords>> ordered = new LinkedHashMap<>();
        for (String c : Ordering.configurations(groups.keySet())) {
            ordered.put(c, groups.get(c));
        }
        return ordered;
    }

    /**
     * "moving average of 9 steps": the window {@link Series#smoothingHalfWidth} gives the curves of these runs
     * (from the shortest run's steps), or "per step" when they are too short to smooth.
     */
    static String smoothingNote(List<RunRecords> runs) {
        int steps = runs.stream().mapToInt(r -> r.steps().rowCount()).min().orElse(0);
        int half = Series.smoothingHalfWidth(steps);
        return half == 0 ? "per step" : (2 * half + 1) + "-step average";
    }

    static String seedNote(int seeds) {
        return seeds > 1 ? " (" + seeds + " seeds)" : "";
    }

    private static boolean logReadable(List<Curve> curves) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Curve c : curves) {
            double[] r = ChartStyle.range(c.lower(), c.upper());
            lo = Math.min(lo, r[0]);
            hi = Math.max(hi, r[1]);
        }
        return ChartStyle.logAxisReadable(lo, hi);
    }

    /**
     * A smoothed curve averaged over seeds with its band.
     *
     * @param x steps
     * @param mean mean over seeds of each seed's moving average
     * @param lower mean - sd (= mean with one seed)
     * @param upper mean + sd
     * @param seeds number of runs averaged
     */
    record Curve(double[] x, double[] mean, double[] lower, double[] upper, int seeds) {
        /** The curve of {@code column} over the runs that have it; null when none has finite values. */
        static Curve of(List<RunRecords> group, String column) {
            List<double[]> ys = new ArrayList<>();
            double[] x = null;
            for (RunRecords r : group) {
                if (!r.steps().containsColumn(column)) {
                    continue;
                }
                double[] y = r.stepColumn(column);
                ys.add(Series.movingAverage(y, Series.smoothingHalfWidth(y.length)));
                double[] step = r.stepColumn("step");
                if (x == null || step.length < x.length) {
                    x = step;
                }
            }
            if (ys.isEmpty()) {
                return null;
            }
            double[] mean = Series.mean(ys);
            double[] sd = Series.sd(ys);
            int n = mean.length;
            double[] lo = new double[n];
            double[] hi = new double[n];
            for (int i = 0; i < n; i++) {
                double s = Double.isNaN(sd[i]) ? 0 : sd[i];
                lo[i] = mean[i] - s;
                hi[i] = mean[i] + s;
            }
            return new Curve(java.util.Arrays.copyOf(x, n), mean, lo, hi, ys.size());
        }
    }

    /** Adds the band (when there are several seeds) and the mean line of a curve. */
    static void addCurve(XYChart chart, String name, Curve c, java.awt.Color colour, boolean log) {
        if (c.seeds() > 1) {
            double[][] lo = Series.thin(Series.finite(c.x(), c.lower(), log), MAX_POINTS);
            double[][] hi = Series.thin(Series.finite(c.x(), c.upper(), log), MAX_POINTS);
            if (lo[0].length > 1 && hi[0].length > 1) {
                int n = lo[0].length + hi[0].length;
                double[] bx = new double[n];
                double[] by = new double[n];
                for (int i = 0; i < hi[0].length; i++) {
                    bx[i] = hi[0][i];
                    by[i] = hi[1][i];
                }
                for (int i = 0; i < lo[0].length; i++) {
                    bx[hi[0].length + i] = lo[0][lo[0].length - 1 - i];
                    by[hi[0].length + i] = lo[1][lo[0].length - 1 - i];
                }
                XYSeries band = chart.addSeries(name + " ± sd", bx, by);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setFillColor(Palette.withAlpha(colour, BAND_ALPHA));
                band.setLineColor(Palette.withAlpha(colour, 0));
                band.setMarker(SeriesMarkers.NONE);
                band.setShowInLegend(false);
            }
        }
        double[][] m = Series.thin(Series.finite(c.x(), c.mean(), log), MAX_POINTS);
        if (m[0].length == 0) {
            return;
        }
        XYSeries s = chart.addSeries(name, m[0], m[1]);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(m[0].length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setMarkerColor(colour);
        s.setLineColor(colour);
        s.setLineStyle(new BasicStroke(2f));
    }

    /** A chart with training step on x. */
    static XYChart newStepChart(String title, String y) {
        return newChart(title, "training step (iterations)", y);
    }

    static XYChart newChart(String title, String x, String y) {
        XYChart chart = new XYChart(ChartStyle.WIDTH, ChartStyle.HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(x);
        chart.setYAxisTitle(y);
        ChartStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return chart;
    }
}

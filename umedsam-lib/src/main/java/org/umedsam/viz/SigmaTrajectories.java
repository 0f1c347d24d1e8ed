package org.umedsam.viz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.Ordering;
import org.umedsam.report.RunRecords;

/**
 * The learned uncertainty of every loss term against step, per configuration, and the effective
 * weights it implies, on a logarithmic axis (both are positive, and the weights of one run span more
 * than a decade: on a linear axis the small ones lay flat along the bottom) of whole decades that
 * holds the start (sigma = 1) and the equilibrium; the relative change (3 significant figures) is
 * stated in each legend entry.
 *
 * <p>The paper's objective (U-MedSAM Eq. 1, Kendall, Gal and Cipolla 2018) is
 * {@code sum_i L_i / (2 sigma_i^2) + log sigma_i}: term i is weighted by
 * {@code w_i = 1 / (2 sigma_i^2)} and the objective is lowest at {@code sigma_i^2 = L_i}; the
 * code form {@code ... + log(1 + sigma_i^2)} at {@code sigma_i^2 = (L_i + sqrt(L_i^2 + 8 L_i)) / 4}
 * (the form is read from config.json, key {@code uncertaintyForm}). The equilibrium drawn (dashed)
 * uses the mean of {@code loss_<term>} over the last fifth of the steps. Runs of one configuration
 * (several seeds) are averaged step by step. Colour says the configuration, marker the term.
 * Runs without {@code sigma_<term>} columns (fixed weights) are left out.
 */
public final class SigmaTrajectories {
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};
    private static final int MAX_POINTS = 25;
    /** Share of the last steps whose mean loss sets the equilibrium. */
    static final double TAIL = 0.2;

    private SigmaTrajectories() {
    }

    /** sigma_i against step. */
    public static XYChart sigmas(List<RunRecords> runs) {
        return chart(runs, "Learned σ per loss term", "σ (dimensionless)", s -> s, "σ");
    }

    /** w_i = 1 / (2 sigma_i^2) against step. */
    public static XYChart effectiveWeights(List<RunRecords> runs) {
        return chart(runs, "Effective weights 1/(2σ²)", "effective weight 1/(2σ²) (dimensionless)",
                s -> 1.0 / (2.0 * s * s), "w");
    }

    /**
     * The sigma at which the uncertainty-weighted objective is lowest for a term whose loss is
     * {@code loss}: {@code sqrt(L)} for the paper's form, {@code sqrt((L + sqrt(L^2 + 8L)) / 4)}
     * for the code form.
     */
    public static double equilibrium(double loss, boolean codeForm) {
        if (!(loss >= 0)) {
            return Double.NaN;
        }
        return codeForm ? Math.sqrt((loss + Math.sqrt(loss * loss + 8 * loss)) / 4) : Math.sqrt(loss);
    }

    /** Mean of the finite values in the last {@link #TAIL} of {@code y} (at least one value). */
    static double tailMean(double[] y) {
        int from = (int) Math.floor(y.length * (1 - TAIL));
        double s = 0;
        int n = 0;
        for (int i = Math.min(from, y.length - 1); i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                s += y[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    private static XYChart chart(List<RunRecords> runs, String title, String yLabel, DoubleUnaryOperator f,
                                 String symbol) {
        Map<String, List<RunRecords>> byConfig = new LinkedHashMap<>();
        LinkedHashSet<String> terms = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            if (!r.sigmaTerms().isEmpty()) {
                byConfig.computeIfAbsent(r.configuration(), k -> new ArrayList<>()).add(r);
                terms.addAll(r.sigmaTerms());
            }
        }
        if (byConfig.isEmpty()) {
            throw new IllegalArgumentException("none of the " + runs.size() + " runs ("
                    + runs.stream().map(RunRecords::configuration).distinct().toList() + ") learns sigmas: only the "
                    + "uncertainty-weighted configurations (no-sam, full) have them");
        }
        List<String> termList = new ArrayList<>(terms);
        int seeds = byConfig.values().stream().mapToInt(List::size).max().orElse(1);
        XYChart chart = LossCurves.newStepChart(title + " (" + (seeds > 1 ? "mean of " + seeds + " seeds ± sd at the "
                + "end; " : "") + "dashed: equilibrium)", yLabel);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(14f));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        double hi = f.applyAsDouble(1.0);
        double lo = hi;
        double lastStep = 0;
        double firstStep = Double.POSITIVE_INFINITY;
        List<Runnable> equilibria = new ArrayList<>();
        for (String config : Ordering.configurations(byConfig.keySet())) {
            List<RunRecords> group = byConfig.get(config);
            java.awt.Color colour = Palette.configuration(config);
            for (String term : termList) {
                List<double[]> curves = new ArrayList<>();
                List<Double> eq = new ArrayList<>();
                double[] x = null;
                for (RunRecords r : group) {
                    if (!r.sigmaTerms().contains(term)) {
                        continue;
                    }
                    double[] s = r.stepColumn(RunRecords.SIGMA_PREFIX + term);
                    double[] y = new double[s.length];
                    for (int i = 0; i < s.length; i++) {
                        y[i] = f.applyAsDouble(s[i]);
                    }
                    curves.add(y);
                    double[] step = r.stepColumn("step");
                    x = x == null || step.length < x.length ? step : x;
                    if (r.steps().containsColumn(RunRecords.LOSS_PREFIX + term)) {
                        double l = tailMean(r.stepColumn(RunRecords.LOSS_PREFIX + term));
                        eq.add(f.applyAsDouble(equilibrium(l, codeForm(r))));
                    }
                }
                if (curves.isEmpty()) {
                    continue;
                }
                double[] y = Series.mean(curves);
                double[][] xy = Series.finite(java.util.Arrays.copyOf(x, y.length), y, false);
                if (xy[0].length == 0) {
                    continue;
                }
                double start = f.applyAsDouble(1.0); // every run starts at sigma = 1 (log sigma = 0)
                double end = xy[1][xy[1].length - 1];
                double change = 100 * (end - start) / start;
                double e = eq.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).average().orElse(Double.NaN);
                String spread = curves.size() > 1 ? String.format(Locale.ROOT, " ± %.3f", endSd(curves)) : "";
                String label = String.format(Locale.ROOT, "%s · %s: %s %.3f → %.3f%s (%s %%)%s", config, term, symbol,
                        start, end, spread, signed(change),
                        Double.isFinite(e) ? String.format(Locale.ROOT, ", equilibrium %.3f", e) : "");
                double[][] thin = Series.thin(xy, MAX_POINTS);
                XYSeries s = chart.addSeries(label, thin[0], thin[1]);
                Marker m = MARKERS[termList.indexOf(term) % MARKERS.length];
                s.setMarker(m);
                s.setMarkerColor(colour);
                s.setLineColor(colour);
                s.setLineStyle(new java.awt.BasicStroke(1.8f));
                double[] r = ChartStyle.range(xy[1]);
                lo = Math.min(lo, r[0]);
                hi = Math.max(hi, r[1]);
                firstStep = Math.min(firstStep, xy[0][0]);
                lastStep = Math.max(lastStep, xy[0][xy[0].length - 1]);
                if (Double.isFinite(e)) {
                    lo = Math.min(lo, e);
                    hi = Math.max(hi, e);
                    String name = config + " · " + term + " equilibrium";
                    equilibria.add(() -> addEquilibrium(chart, name, e, colour));
                }
            }
        }
        double x0 = firstStep;
        double x1 = lastStep;
        for (Runnable r : equilibria) {
            r.run();
        }
        // equilibrium lines span the steps drawn
        for (XYSeries s : chart.getSeriesMap().values()) {
            if (s.getName().endsWith(" equilibrium")) {
                chart.updateXYSeries(s.getName(), new double[] {x0, x1}, s.getYData(), null);
            }
        }
        // each series' change is in the legend; the title stays within the chart's width
        if (lo > 0) {
            ChartStyle.logAxis(chart, true, lo, hi);
        } else {
            // a sigma of zero (or NaN) cannot sit on a log axis: linear from zero as a fallback
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(hi * 1.08);
        }
        chart.getStyler().setMarkerSize(7);
        ChartStyle.roundXTicks(chart);
        return chart;
    }

    /**
     * Sample standard deviation (n - 1) over seeds of each curve's last finite value: how far the seeds' ends lie
     * apart, shown beside the mean's end in the legend (bands around eight curves on a log axis would hide them).
     */
    static double endSd(List<double[]> curves) {
        double[] ends = curves.stream().mapToDouble(c -> {
            for (int i = c.length - 1; i >= 0; i--) {
                if (Double.isFinite(c[i])) {
                    return c[i];
                }
            }
            return Double.NaN;
        }).filter(Double::isFinite).toArray();
        if (ends.length < 2) {
            return Double.NaN;
        }
        double m = java.util.Arrays.stream(ends).average().orElse(Double.NaN);
        double ss = java.util.Arrays.stream(ends).map(v -> (v - m) * (v - m)).sum();
        return Math.sqrt(ss / (ends.length - 1));
    }

    /** A relative change with its sign, to 3 significant figures ("+4300", "-0.12"). */
    static String signed(double change) {
        return (change > 0 ? "+" : "") + ChartStyle.significant(change, 3);
    }

    private static void addEquilibrium(XYChart chart, String name, double value, java.awt.Color colour) {
        XYSeries s = chart.addSeries(name, new double[] {0, 1}, new double[] {value, value});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(Palette.withAlpha(colour, 170));
        s.setLineStyle(LossCurves.dashed(1.4f));
        s.setShowInLegend(false);
    }

    private static boolean codeForm(RunRecords r) {
        return r.config().has("uncertaintyForm") && r.config().get("uncertaintyForm").isJsonPrimitive()
                && "code".equalsIgnoreCase(r.config().get("uncertaintyForm").getAsString());
    }
}

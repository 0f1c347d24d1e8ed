package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.Ordering;
import org.umedsam.report.RunRecords;

/**
 * The learned uncertainty of every loss term against step, per configuration, and the effective
 * weights it implies.
 *
 * <p>The uncertainty-weighted objective (Kendall, Gal and Cipolla 2018, as used by U-MedSAM) is
 * {@code sum_i L_i / (2 sigma_i^2) + log sigma_i}, so term i is weighted by
 * {@code w_i = 1 / (2 sigma_i^2)}. Runs of the same configuration (several seeds) are averaged
 * step by step. Colour says the term, marker the configuration (curves thinned to 25 points
 * for display). Runs without
 * {@code sigma_<term>} columns (fixed weights) are left out.
 */
public final class SigmaTrajectories {
    // configurations differ by marker (dash patterns restart at every short segment in XChart)
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.DIAMOND};
    private static final int MAX_POINTS = 25;

    private SigmaTrajectories() {
    }

    /** sigma_i against step. */
    public static XYChart sigmas(List<RunRecords> runs) {
        return chart(runs, "Learned uncertainty per loss term", "sigma (dimensionless)", s -> s, false);
    }

    /** w_i = 1 / (2 sigma_i^2) against step, on a logarithmic axis. */
    public static XYChart effectiveWeights(List<RunRecords> runs) {
        return chart(runs, "Effective loss weights 1/(2σ²)", "effective weight 1/(2σ²) (dimensionless)",
                s -> 1.0 / (2.0 * s * s), true);
    }

    private static boolean spansDecade(List<Object[]> pending) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Object[] p : pending) {
            for (double v : (double[]) p[2]) {
                if (Double.isFinite(v) && v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return hi / lo > 10;
    }

    private static XYChart chart(List<RunRecords> runs, String title, String yLabel, DoubleUnaryOperator f, boolean log) {
        Map<String, List<RunRecords>> byConfig = new LinkedHashMap<>();
        LinkedHashSet<String> terms = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            if (!r.sigmaTerms().isEmpty()) {
                byConfig.computeIfAbsent(r.configuration(), k -> new ArrayList<>()).add(r);
                terms.addAll(r.sigmaTerms());
            }
        }
        if (byConfig.isEmpty()) {
            throw new IllegalArgumentException("none of the " + runs.size() + " runs has sigma_<term> columns");
        }
        List<String> termList = new ArrayList<>(terms);
        XYChart chart = LossCurves.newStepChart(title, yLabel);
        boolean allPositive = true;
        List<Object[]> pending = new ArrayList<>();
        List<String> configs = Ordering.configurations(byConfig.keySet());
        for (int c = 0; c < configs.size(); c++) {
            String config = configs.get(c);
            List<RunRecords> group = byConfig.get(config);
            for (String term : termList) {
                List<double[]> curves = new ArrayList<>();
                List<double[]> steps = new ArrayList<>();
                for (RunRecords r : group) {
                    if (r.sigmaTerms().contains(term)) {
                        double[] s = r.stepColumn(RunRecords.SIGMA_PREFIX + term);
                        double[] y = new double[s.length];
                        for (int i = 0; i < s.length; i++) {
                            y[i] = f.applyAsDouble(s[i]);
                        }
                        curves.add(y);
                        steps.add(r.stepColumn("step"));
                    }
                }
                if (curves.isEmpty()) {
                    continue;
                }
                double[] y = Series.mean(curves);
                double[] x = java.util.Arrays.copyOf(steps.get(0), y.length);
                allPositive &= Series.allPositive(y);
                String label = config + (group.size() > 1 ? " (" + group.size() + " seeds)" : "") + ": " + term;
                pending.add(new Object[] {label, x, y, termList.indexOf(term), c});
            }
        }
        // a log axis labels only decades: use it only when the weights span more than one
        boolean useLog = log && allPositive && spansDecade(pending);
        chart.getStyler().setYAxisLogarithmic(useLog);
        for (Object[] p : pending) {
            double[][] xy = Series.thin(Series.finite((double[]) p[1], (double[]) p[2], useLog), MAX_POINTS);
            if (xy[0].length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries((String) p[0], xy[0], xy[1]);
            s.setMarker(MARKERS[Math.floorMod((Integer) p[4], MARKERS.length)]);
            s.setMarkerColor(Palette.categorical((Integer) p[3]));
            s.setLineColor(Palette.categorical((Integer) p[3]));
            s.setLineStyle(new BasicStroke(1.8f));
        }
        chart.getStyler().setMarkerSize(7);
        ChartStyle.sparseXLabels(chart, 8);
        return chart;
    }
}

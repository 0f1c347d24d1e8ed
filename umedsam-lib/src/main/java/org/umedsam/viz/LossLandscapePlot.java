package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.LandscapeLine;
import org.umedsam.report.LandscapeSet;
import org.umedsam.report.Ordering;

/**
 * 1D loss-landscape figure in the style of Li et al. 2018: per configuration the loss along
 * filter-normalised random directions, as the mean over seeds with a band of plus-minus one SD over
 * seeds (each seed's curve first averaged over its direction pairs), one colour per configuration
 * ({@link Palette#configuration}, as in every figure).
 */
public final class LossLandscapePlot {
    private LossLandscapePlot() {
    }

    /**
     * Mean over seeds with a plus-minus one SD band.
     *
     * @param sets       landscapes of the runs (those without lines are ignored)
     * @param yAxisLabel what the loss is (the common objective)
     * @throws IllegalArgumentException when no run has a line, or one configuration's lines use different grids
     */
    public static XYChart lines(List<LandscapeSet> sets, String yAxisLabel) {
        Map<String, List<double[]>> perSeed = new LinkedHashMap<>();
        Map<String, double[]> alphas = new LinkedHashMap<>();
        Map<String, Integer> directions = new LinkedHashMap<>();
        for (LandscapeSet s : sets) {
            if (s.lines().isEmpty()) {
                continue;
            }
            double[] a = s.lines().get(0).alphas();
            double[] mean = new double[a.length];
            for (LandscapeLine l : s.lines()) {
                double[] ref = alphas.getOrDefault(s.configuration(), a);
                if (!Arrays.equals(l.alphas(), ref)) {
                    throw new IllegalArgumentException(s.configuration() + " seed " + s.seed()
                            + ": 1D lines on different alpha grids cannot be averaged");
                }
                for (int i = 0; i < a.length; i++) {
                    mean[i] += l.losses()[i] / s.lines().size();
                }
            }
            alphas.putIfAbsent(s.configuration(), a);
            perSeed.computeIfAbsent(s.configuration(), k -> new ArrayList<>()).add(mean);
            directions.merge(s.configuration(), s.lines().size(), Math::min);
        }
        if (perSeed.isEmpty()) {
            throw new IllegalArgumentException("no landscape lines to plot");
        }
        // α is in filter-normalised units, not parameter L2: the ±1 span is not comparable with SAM's absolute rho
        XYChart chart = LossCurves.newChart("1D loss landscape, mean ± SD over seeds",
                "step along direction, α (filter-normalised units, Li et al. 2018)", yAxisLabel);
        chart.getStyler().setXAxisDecimalPattern("0.##");
        chart.getStyler().setYAxisDecimalPattern("0.###");
        List<String> configs = Ordering.configurations(perSeed.keySet());
        for (String c : configs) {
            List<double[]> curves = perSeed.get(c);
            double[] a = alphas.get(c);
            double[] m = new double[a.length];
            double[] sd = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                double[] at = new double[curves.size()];
                for (int k = 0; k < at.length; k++) {
                    at[k] = curves.get(k)[i];
                }
                m[i] = mean(at);
                sd[i] = sd(at);
            }
            java.awt.Color colour = Palette.configuration(c);
            if (curves.size() > 1) {
                double[] bx = new double[2 * a.length];
                double[] by = new double[2 * a.length];
                for (int i = 0; i < a.length; i++) {
                    bx[i] = a[i];
                    by[i] = m[i] + sd[i];
                    bx[2 * a.length - 1 - i] = a[i];
                    by[2 * a.length - 1 - i] = m[i] - sd[i];
                }
                XYSeries band = chart.addSeries(c + " ± SD", bx, by);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setMarker(SeriesMarkers.NONE);
                band.setFillColor(Palette.withAlpha(colour, 60));
                band.setLineColor(Palette.withAlpha(colour, 0));
                band.setShowInLegend(false);
            }
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "%s (%d seed%s × %d direction%s)", c, curves.size(),
                    curves.size() == 1 ? "" : "s", directions.get(c), directions.get(c) == 1 ? "" : "s"), a, m);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(colour);
            s.setMarkerColor(colour);
            s.setLineStyle(new BasicStroke(2f));
        }
        return chart;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }
}

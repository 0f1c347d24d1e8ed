package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.LandscapeLine;
import org.umedsam.report.LandscapeSurface;

/**
 * Loss-landscape figures in the style of Li et al. 2018: 1D loss curves along a
 * filter-normalised direction for several runs, and a 2D contour plot around one run's weights.
 */
public final class LossLandscapePlot {
    private LossLandscapePlot() {
    }

    /** Loss against step size alpha for several runs (one line each, markers at the samples). */
    public static XYChart lines(List<LandscapeLine> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no landscape lines to plot");
        }
        XYChart chart = LossCurves.newChart("1D loss landscape (filter-normalised random direction)",
                "step along direction α (units of filter norm)", "training loss on fixed batch (dimensionless)");
        int k = 0;
        for (LandscapeLine l : lines) {
            double[][] xy = Series.finite(l.alphas(), l.losses(), false);
            XYSeries s = chart.addSeries(l.label(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(Palette.categorical(k));
            s.setMarkerColor(Palette.categorical(k));
            s.setLineStyle(new BasicStroke(2f));
            k++;
        }
        return chart;
    }

    /**
     * Contour lines of one 2D slice, {@code levels} lines at quantiles of the sampled losses,
     * coloured dark (low) to yellow (high), with the trained weights marked at (0, 0).
     */
    public static XYChart contour(LandscapeSurface s, int levels) {
        if (levels < 1 || levels > 30) {
            throw new IllegalArgumentException("levels must be in [1, 30], got " + levels);
        }
        XYChart chart = LossCurves.newChart("2D loss landscape: " + s.label(), "direction 1, α (units of filter norm)",
                "direction 2, β (units of filter norm)");
        chart.getStyler().setXAxisMin(s.alphas()[0]);
        chart.getStyler().setXAxisMax(s.alphas()[s.alphas().length - 1]);
        chart.getStyler().setYAxisMin(s.betas()[0]);
        chart.getStyler().setYAxisMax(s.betas()[s.betas().length - 1]);
        chart.getStyler().setPlotGridLinesVisible(false);
        double[] lv = Contours.quantileLevels(s.losses(), levels);
        java.util.Set<String> used = new java.util.HashSet<>();
        for (int k = 0; k < lv.length; k++) {
            double[][] seg = Contours.segments(s.alphas(), s.betas(), s.losses(), lv[k]);
            String name = String.format(Locale.ROOT, "loss = %.4g", lv[k]);
            // levels closer than the printed precision would repeat a legend entry: keep the first
            if (seg[0].length == 0 || !used.add(name)) {
                continue;
            }
            XYSeries series = chart.addSeries(name, seg[0], seg[1]);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineColor(Palette.sequential(lv.length == 1 ? 0.5 : (double) k / (lv.length - 1)));
            series.setLineStyle(new BasicStroke(1.6f));
        }
        XYSeries centre = chart.addSeries("trained weights", new double[] {0}, new double[] {0});
        centre.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        centre.setMarker(SeriesMarkers.CROSS);
        centre.setMarkerColor(java.awt.Color.RED);
        return chart;
    }
}

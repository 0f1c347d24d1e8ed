package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Intensity histograms as step lines (percent of pixels per bin), several series on one axis, so
 * the effect of clipping and rescaling is visible.
 */
public final class IntensityHistogram {
    private IntensityHistogram() {
    }

    /**
     * @param title chart title
     * @param xLabel x axis label with units (e.g. "intensity (HU)" or "normalised intensity")
     * @param series name to values; non-finite values are ignored
     * @param bins number of bins over [lo, hi]
     * @param logY logarithmic y (empty bins are then dropped)
     */
    public static XYChart of(String title, String xLabel, Map<String, float[]> series, int bins, double lo, double hi,
                             boolean logY) {
        if (bins < 2 || !(hi > lo)) {
            throw new IllegalArgumentException("need bins >= 2 and hi > lo, got bins=" + bins + " range=[" + lo + ", " + hi + "]");
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no series");
        }
        XYChart chart = LossCurves.newChart(title, xLabel, "pixels per bin (%)");
        chart.getStyler().setYAxisLogarithmic(logY);
        int k = 0;
        for (Map.Entry<String, float[]> e : series.entrySet()) {
            double[] pct = histogram(e.getValue(), bins, lo, hi);
            // step outline: two points per bin
            double[] x = new double[2 * bins];
            double[] y = new double[2 * bins];
            double w = (hi - lo) / bins;
            for (int b = 0; b < bins; b++) {
                x[2 * b] = lo + b * w;
                x[2 * b + 1] = lo + (b + 1) * w;
                y[2 * b] = pct[b];
                y[2 * b + 1] = pct[b];
            }
            double[][] xy = Series.finite(x, y, logY);
            if (xy[0].length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Palette.categorical(k++));
            s.setLineStyle(new BasicStroke(1.6f));
        }
        return chart;
    }

    /** Percent of the finite values in each of {@code bins} equal bins over [lo, hi] (values outside are clamped). */
    public static double[] histogram(float[] values, int bins, double lo, double hi) {
        double[] h = new double[bins];
        long n = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                continue;
            }
            int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
            h[Math.max(0, Math.min(bins - 1, b))]++;
            n++;
        }
        if (n > 0) {
            for (int b = 0; b < bins; b++) {
                h[b] = 100.0 * h[b] / n;
            }
        }
        return h;
    }
}

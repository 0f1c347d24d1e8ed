package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Intensity histograms as step lines (percent of pixels per bin), several series on one axis, so
 * the effect of clipping and rescaling is visible. On a logarithmic axis empty bins are left as gaps.
 */
public final class IntensityHistogram {
    private IntensityHistogram() {
    }

    /**
     * @param title chart title
     * @param xLabel x axis label with units (e.g. "intensity (HU)" or "normalised intensity")
     * @param series name to values; non-finite values are ignored
     * @param bins number of bins over [lo, hi]
     * @param logY logarithmic y (empty bins are then gaps in the line)
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
        double w = (hi - lo) / bins;
        for (Map.Entry<String, float[]> e : series.entrySet()) {
            double[] pct = histogram(e.getValue(), bins, lo, hi);
            java.awt.Color colour = Palette.categorical(k++);
            // a log axis cannot show an empty bin: each run of non-empty bins becomes its own step line, so
            // the gap stays a gap instead of a segment drawn across it (that looked like data)
            int part = 0;
            int b = 0;
            while (b < bins) {
                if (logY && !(pct[b] > 0)) {
                    b++;
                    continue;
                }
                int end = b;
                while (end < bins && (!logY || pct[end] > 0)) {
                    end++;
                }
                // step outline: two points per bin
                double[] x = new double[2 * (end - b)];
                double[] y = new double[x.length];
                for (int i = b; i < end; i++) {
                    x[2 * (i - b)] = lo + i * w;
                    x[2 * (i - b) + 1] = lo + (i + 1) * w;
                    y[2 * (i - b)] = pct[i];
                    y[2 * (i - b) + 1] = pct[i];
                }
                XYSeries s = chart.addSeries(part == 0 ? e.getKey() : e.getKey() + " (bins " + b + "-" + (end - 1) + ")",
                        x, y);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(colour);
                s.setLineStyle(new BasicStroke(1.6f));
                s.setShowInLegend(part == 0);
                part++;
                b = end;
            }
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

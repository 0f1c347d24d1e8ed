package org.umedsam.viz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.Ordering;
import org.umedsam.report.Table4;
import org.umedsam.report.Tables;
import tech.tablesaw.api.Table;

/**
 * Running time per test case against case size, one series per configuration in its
 * {@link Palette#configuration} colour (the paper's Table 4 compares the baseline with the full
 * method): the mean over that configuration's runs (seeds, or repeats interleaved with the other
 * configuration) with an error bar of one sample standard deviation. Input: the timing table
 * behind {@link Table4}: columns case, size (H×W or D×H×W, e.g. {@code 86×512×512}) or voxels,
 * objects, seconds and optionally configuration. Both axes are logarithmic (whole decades): 2D cases
 * of tens of thousands of pixels and 3D cases of millions of voxels, and times from a tenth of a second to
 * seconds, would otherwise crowd the 2D cases into one corner.
 */
public final class EfficiencyPlot {
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};

    private EfficiencyPlot() {
    }

    /** {@link #of(Table, int)} without the size of the test split. */
    public static XYChart of(Table timings) {
        return of(timings, 0);
    }

    /**
     * @param testCases cases in the test split the timed cases come from, for the title's "N of M"
     *                  (0 when unknown)
     */
    public static XYChart of(Table timings, int testCases) {
        if (!timings.containsColumn(Table4.SECONDS)) {
            throw new IllegalArgumentException(timings.name() + ": no 'seconds' column (has " + timings.columnNames() + ")");
        }
        double[] seconds = Tables.doubles(timings, Table4.SECONDS);
        double[] voxels = new double[seconds.length];
        if (timings.containsColumn("voxels")) {
            voxels = Tables.doubles(timings, "voxels");
        } else if (timings.containsColumn(Table4.SIZE)) {
            for (int r = 0; r < voxels.length; r++) {
                voxels[r] = voxelsOf(timings.stringColumn(Table4.SIZE).get(r), timings.name());
            }
        } else {
            throw new IllegalArgumentException(timings.name() + ": needs a 'voxels' or 'size' column");
        }
        boolean hasConfig = timings.containsColumn(Table4.CONFIGURATION);
        boolean hasCase = timings.containsColumn(Table4.CASE);
        // configuration -> case -> [voxels, times...]
        Map<String, Map<String, List<Double>>> times = new LinkedHashMap<>();
        Map<String, Double> size = new LinkedHashMap<>();
        for (int r = 0; r < seconds.length; r++) {
            if (!(seconds[r] > 0) || !(voxels[r] > 0)) {
                continue;
            }
            String config = hasConfig ? timings.stringColumn(Table4.CONFIGURATION).get(r) : "all runs";
            String id = hasCase ? timings.stringColumn(Table4.CASE).get(r) : Integer.toString(r);
            times.computeIfAbsent(config, k -> new LinkedHashMap<>()).computeIfAbsent(id, k -> new ArrayList<>()).add(seconds[r]);
            size.put(id, voxels[r]);
        }
        if (times.isEmpty()) {
            throw new IllegalArgumentException(timings.name() + ": no case with positive size and time");
        }
        List<String> configs = Ordering.configurations(times.keySet());
        if (configs.contains("baseline") && configs.contains("full")) {
            configs = List.of("baseline", "full");
        }
        int repeats = times.values().stream().flatMap(m -> m.values().stream()).mapToInt(List::size).max().orElse(1);
        int timed = size.size();
        String cases = testCases > timed ? timed + " of " + testCases + " test cases" : timed + " test case" + (timed == 1 ? "" : "s");
        XYChart chart = LossCurves.newChart("Running time per case, " + cases + (repeats > 1
                ? " (mean ± sd over " + repeats + " runs)" : ""), "case size (pixels or voxels: H×W or D×H×W)",
                "running time (s)");
        double[] xr = ChartStyle.range(size.values().stream().mapToDouble(Double::doubleValue).toArray());
        double[] yr = ChartStyle.range(times.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream)
                .mapToDouble(Double::doubleValue).toArray());
        ChartStyle.logAxis(chart, false, xr[0], xr[1]);
        ChartStyle.logAxis(chart, true, yr[0], yr[1]);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        int k = 0;
        for (String config : configs) {
            Map<String, List<Double>> byCase = times.get(config);
            int n = byCase.size();
            double[] x = new double[n];
            double[] y = new double[n];
            double[] err = new double[n];
            int i = 0;
            for (Map.Entry<String, List<Double>> e : byCase.entrySet()) {
                double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
                x[i] = size.get(e.getKey());
                y[i] = java.util.Arrays.stream(v).average().orElse(Double.NaN);
                double sd = 0;
                for (double t : v) {
                    sd += (t - y[i]) * (t - y[i]);
                }
                // on a log axis an error bar below zero cannot be drawn: clip it at 99 % of the mean
                err[i] = v.length > 1 ? Math.sqrt(sd / (v.length - 1)) : 0;
                err[i] = Math.min(err[i], 0.99 * y[i]);
                i++;
            }
            XYSeries s = chart.addSeries(config, x, y, err);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(MARKERS[k % MARKERS.length]);
            s.setMarkerColor(Palette.withAlpha(Palette.configuration(config), 200));
            s.setLineColor(Palette.configuration(config));
            k++;
        }
        ChartStyle.roundXTicks(chart);
        return chart;
    }

    /** Product of the dimensions in a size text such as {@code 512×512×86} or {@code 512x512}. */
    static double voxelsOf(String size, String table) {
        double v = 1;
        for (String part : size.split("[×xX*, ]+")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                v *= Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(table + ": size '" + size + "' is not like 512×512×86");
            }
        }
        return v;
    }

}

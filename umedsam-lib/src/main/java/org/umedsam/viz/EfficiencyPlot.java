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
import org.umedsam.report.Table3;
import org.umedsam.report.Table4;
import org.umedsam.report.Tables;
import tech.tablesaw.api.Table;

/**
 * Running time per case against case size (log-log scatter, one series per modality), from the
 * timing table behind {@link Table4}: columns case, size (e.g. {@code 512×512×86}) or voxels,
 * objects, seconds and optionally modality.
 */
public final class EfficiencyPlot {
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};

    private EfficiencyPlot() {
    }

    public static XYChart of(Table timings) {
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
        boolean hasModality = timings.containsColumn(Table4.MODALITY);
        Map<String, List<double[]>> byModality = new LinkedHashMap<>();
        for (int r = 0; r < seconds.length; r++) {
            String m = hasModality ? timings.stringColumn(Table4.MODALITY).get(r) : "cases";
            if (seconds[r] > 0 && voxels[r] > 0) {
                byModality.computeIfAbsent(m, k -> new ArrayList<>()).add(new double[] {voxels[r] / 1e6, seconds[r]});
            }
        }
        if (byModality.isEmpty()) {
            throw new IllegalArgumentException(timings.name() + ": no case with positive size and time");
        }
        XYChart chart = LossCurves.newChart("Running time per case", "case size (megavoxels)",
                "running time (s)");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(9);
        int k = 0;
        for (String m : Ordering.modalities(byModality.keySet())) {
            List<double[]> pts = byModality.get(m);
            double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
            XYSeries s = chart.addSeries(Table3.displayModality(m), x, y);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(MARKERS[k % MARKERS.length]);
            s.setMarkerColor(Palette.categorical(k));
            k++;
        }
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

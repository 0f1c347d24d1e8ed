package org.umedsam.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.Ordering;
import org.umedsam.report.ScoreColumns;
import org.umedsam.report.SeedSummary;
import org.umedsam.report.Table3;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * Per-modality DSC or NSD for each configuration as grouped bars (the mean over seeds, as in
 * Table 3) with one dot per seed (that seed's mean over the modality's cases) instead of error
 * bars, which crossed zero for small scores; the macro average as the last group. The y axis is
 * fixed at 0..100 % so no difference is magnified by zooming; a bar of zero is labelled "0" so it
 * is not mistaken for a missing one, and a configuration without scores for a modality is
 * labelled "n/a".
 *
 * <p>Drawn on an XY chart (bars are filled rectangles at x = group index plus an offset per
 * configuration) because XChart's category chart cannot overlay dots on grouped bars; the
 * modality names stand in a band just below zero.
 */
public final class ModalityBars {
    /** Which score to plot. */
    public enum Metric {
        DSC("DSC (%)", ScoreColumns.DSC), NSD("NSD (%)", ScoreColumns.NSD);

        private final String axis;
        private final String column;

        Metric(String axis, String column) {
            this.axis = axis;
            this.column = column;
        }

        public String axisLabel() {
            return axis;
        }
    }

    private static final double GROUP_WIDTH = 0.8;
    /** Height (in %) of the band below zero that holds the modality names. */
    static final double LABEL_BAND = 7.0;

    private ModalityBars() {
    }

    /**
     * Bars from per-case scores ({@link ScoreColumns#REQUIRED}: configuration, seed, case, modality,
     * dsc, nsd; scores as fractions).
     */
    public static XYChart of(Table scores, Metric metric) {
        List<SeedSummary.Cell> cells = SeedSummary.cells(scores);
        // configuration -> modality -> seed -> seed's mean over cases (NaN scores skipped)
        Map<String, Map<String, TreeMap<Long, Double>>> seedMeans = seedMeans(scores, metric.column);
        LinkedHashSet<String> modalities = new LinkedHashSet<>();
        Map<String, Map<String, SeedSummary.Cell>> byConfig = new LinkedHashMap<>();
        for (SeedSummary.Cell c : cells) {
            if (!c.modality().equals(SeedSummary.AVERAGE)) {
                modalities.add(c.modality());
            }
            byConfig.computeIfAbsent(c.configuration(), k -> new LinkedHashMap<>()).put(c.modality(), c);
        }
        List<String> order = new ArrayList<>(Ordering.modalities(modalities));
        order.add(SeedSummary.AVERAGE);
        List<String> labels = order.stream().map(Table3::displayModality).toList();
        List<String> configs = Ordering.configurations(byConfig.keySet());
        int seeds = cells.stream().mapToInt(SeedSummary.Cell::seeds).max().orElse(1);

        XYChart chart = new XYChart(ChartStyle.WIDTH + 120, ChartStyle.HEIGHT);
        chart.setTitle(metric.name() + " per modality on the test split" + (seeds > 1
                ? " (bar: mean over " + seeds + " seeds, dot: one seed)" : " (one seed)"));
        chart.setXAxisTitle("modality");
        chart.setYAxisTitle(metric.axisLabel());
        ChartStyle.apply(chart.getStyler());
        chart.getStyler().setYAxisMax(100.0);
        // group names are written under the bars, inside the plot, in a band below zero: XChart 3.8.8
        // cannot put named ticks on a numeric axis (its tick search loops or gives up on blank labels)
        chart.getStyler().setYAxisMin(-LABEL_BAND);
        chart.getStyler().setXAxisMin(-0.5);
        chart.getStyler().setXAxisMax(order.size() - 0.5);
        chart.getStyler().setXAxisTicksVisible(false);
        // no tick label in the name band below zero
        chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> v < -1e-9 ? " " : String.format(java.util.Locale.ROOT, "%.0f", v));
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.addAnnotation(new AnnotationLine(0, false, false));
        for (int g = 0; g < labels.size(); g++) {
            // staggered in two rows: long neighbouring names (Dermoscopy, Endoscopy) would run into each other
            chart.addAnnotation(new AnnotationText(labels.get(g), g, -LABEL_BAND * (g % 2 == 0 ? 0.3 : 0.7), false));
        }

        double w = GROUP_WIDTH / configs.size();
        List<Double> dotX = new ArrayList<>();
        List<Double> dotY = new ArrayList<>();
        for (int c = 0; c < configs.size(); c++) {
            String config = configs.get(c);
            Color colour = Palette.configuration(config);
            boolean legend = true;
            for (int g = 0; g < order.size(); g++) {
                double x = g + (c - (configs.size() - 1) / 2.0) * w;
                SeedSummary.Cell cell = byConfig.get(config).get(order.get(g));
                double mean = cell == null ? Double.NaN : 100 * (metric == Metric.DSC ? cell.dscMean() : cell.nsdMean());
                if (Double.isNaN(mean)) {
                    chart.addAnnotation(label("n/a", x));
                    continue;
                }
                double x0 = x - 0.45 * w;
                double x1 = x + 0.45 * w;
                XYSeries bar = chart.addSeries(legend ? config : config + " " + labels.get(g),
                        new double[] {x0, x0, x1, x1}, new double[] {0, mean, mean, 0});
                bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                bar.setFillColor(Palette.withAlpha(colour, 150));
                bar.setLineColor(colour);
                bar.setLineStyle(new BasicStroke(1f));
                bar.setMarker(SeriesMarkers.NONE);
                bar.setShowInLegend(legend);
                legend = false;
                if (mean < 0.5) {
                    chart.addAnnotation(label("0", x));
                }
                TreeMap<Long, Double> perSeed = seedMeans.getOrDefault(config, Map.of()).getOrDefault(order.get(g),
                        new TreeMap<>());
                int k = 0;
                for (double v : perSeed.values()) {
                    if (!Double.isNaN(v)) {
                        dotX.add(x + (perSeed.size() == 1 ? 0 : (k - (perSeed.size() - 1) / 2.0) * 0.5 * w / perSeed.size()));
                        dotY.add(100 * v);
                    }
                    k++;
                }
            }
        }
        if (!dotX.isEmpty() && seeds > 1) {
            XYSeries dots = chart.addSeries("one seed", dotX, dotY);
            dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dots.setMarker(SeriesMarkers.CIRCLE);
            dots.setMarkerColor(new Color(0x22, 0x22, 0x22));
            chart.getStyler().setMarkerSize(6);
        }
        return chart;
    }

    private static AnnotationText label(String text, double x) {
        // y in data units: just above the zero line
        return new AnnotationText(text, x, 3.0, false);
    }

    /** Per configuration, modality (and the macro average) and seed: the mean of the metric over cases. */
    static Map<String, Map<String, TreeMap<Long, Double>>> seedMeans(Table scores, String column) {
        ScoreColumns.check(scores);
        Map<String, Map<String, TreeMap<Long, double[]>>> acc = new LinkedHashMap<>();
        NumericColumn<?> seed = (NumericColumn<?>) scores.column(ScoreColumns.SEED);
        NumericColumn<?> value = (NumericColumn<?>) scores.column(column);
        for (int r = 0; r < scores.rowCount(); r++) {
            double v = value.getDouble(r);
            double[] a = acc.computeIfAbsent(scores.stringColumn(ScoreColumns.CONFIGURATION).get(r), k -> new LinkedHashMap<>())
                    .computeIfAbsent(scores.stringColumn(ScoreColumns.MODALITY).get(r), k -> new TreeMap<>())
                    .computeIfAbsent((long) seed.getDouble(r), k -> new double[2]);
            if (!Double.isNaN(v)) {
                a[0] += v;
                a[1] += 1;
            }
        }
        Map<String, Map<String, TreeMap<Long, Double>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, TreeMap<Long, double[]>>> c : acc.entrySet()) {
            Map<String, TreeMap<Long, Double>> byModality = new LinkedHashMap<>();
            TreeMap<Long, double[]> macro = new TreeMap<>();
            for (Map.Entry<String, TreeMap<Long, double[]>> m : c.getValue().entrySet()) {
                TreeMap<Long, Double> bySeed = new TreeMap<>();
                for (Map.Entry<Long, double[]> s : m.getValue().entrySet()) {
                    double mean = s.getValue()[1] == 0 ? Double.NaN : s.getValue()[0] / s.getValue()[1];
                    bySeed.put(s.getKey(), mean);
                    if (!Double.isNaN(mean)) {
                        double[] a = macro.computeIfAbsent(s.getKey(), k -> new double[2]);
                        a[0] += mean;
                        a[1] += 1;
                    }
                }
                byModality.put(m.getKey(), bySeed);
            }
            TreeMap<Long, Double> avg = new TreeMap<>();
            macro.forEach((s, a) -> avg.put(s, a[0] / a[1]));
            byModality.put(SeedSummary.AVERAGE, avg);
            out.put(c.getKey(), byModality);
        }
        return out;
    }
}

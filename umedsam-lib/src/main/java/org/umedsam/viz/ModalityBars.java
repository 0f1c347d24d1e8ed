package org.umedsam.viz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.umedsam.report.Ordering;
import org.umedsam.report.SeedSummary;
import org.umedsam.report.Table3;

/**
 * Per-modality DSC or NSD for each configuration as grouped bars, with error bars of one sample
 * standard deviation over seeds (none with a single seed); the macro average as the last group.
 */
public final class ModalityBars {
    /** Which score to plot. */
    public enum Metric {
        DSC("DSC (%)"), NSD("NSD (%)");

        private final String axis;

        Metric(String axis) {
            this.axis = axis;
        }

        public String axisLabel() {
            return axis;
        }
    }

    private ModalityBars() {
    }

    /** Bars from summary cells ({@link SeedSummary#cells}). */
    public static CategoryChart of(List<SeedSummary.Cell> cells, Metric metric) {
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("no summary cells to plot");
        }
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
        int seeds = cells.stream().mapToInt(SeedSummary.Cell::seeds).max().orElse(1);
        CategoryChart chart = new CategoryChart(ChartStyle.WIDTH + 120, ChartStyle.HEIGHT);
        chart.setTitle(metric.name() + " per modality" + (seeds > 1 ? " (mean ± sd over " + seeds + " seeds)" : ""));
        chart.setXAxisTitle("modality");
        chart.setYAxisTitle(metric.axisLabel());
        ChartStyle.apply(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setErrorBarsColor(java.awt.Color.BLACK);
        chart.getStyler().setErrorBarsColorSeriesColor(false);
        chart.getStyler().setYAxisDecimalPattern("0");
        if (labels.size() > 7) {
            chart.getStyler().setXAxisLabelRotation(30);
        }
        int k = 0;
        for (String config : Ordering.configurations(byConfig.keySet())) {
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (String m : order) {
                SeedSummary.Cell c = byConfig.get(config).get(m);
                double mean = c == null ? 0 : (metric == Metric.DSC ? c.dscMean() : c.nsdMean());
                double sd = c == null ? 0 : (metric == Metric.DSC ? c.dscSd() : c.nsdSd());
                y.add(100 * mean);
                err.add(Double.isNaN(sd) ? 0.0 : 100 * sd);
            }
            CategorySeries s = chart.addSeries(config, labels, y, err);
            s.setFillColor(Palette.categorical(k++));
        }
        return chart;
    }
}

package org.umedsam.viz;

import java.awt.BasicStroke;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.umedsam.report.RunRecords;
import org.umedsam.report.Tables;

/**
 * Training curves from run records: each loss term against step (raw values, faint, plus a
 * moving average), the weighted objective of several runs, and per-epoch train/validation loss.
 */
public final class LossCurves {
    private LossCurves() {
    }

    /**
     * Every {@code loss_<term>} column of one run against step: a faint raw trace and a
     * moving average (shown in the legend) per term. Logarithmic y when all values are positive.
     */
    public static XYChart perTerm(RunRecords run) {
        List<String> terms = run.lossTerms();
        if (terms.isEmpty()) {
            throw new IllegalArgumentException(run.dir() + ": steps.csv has no loss_<term> columns");
        }
        XYChart chart = newStepChart("Loss terms during training: " + run.name(),
                "loss value (unweighted, dimensionless)");
        double[] step = run.stepColumn("step");
        boolean log = true;
        for (String t : terms) {
            log &= Series.allPositive(run.stepColumn(RunRecords.LOSS_PREFIX + t));
        }
        chart.getStyler().setYAxisLogarithmic(log);
        int k = 0;
        for (String t : terms) {
            double[] y = run.stepColumn(RunRecords.LOSS_PREFIX + t);
            addRawAndSmooth(chart, t, step, y, k++, log);
        }
        ChartStyle.sparseXLabels(chart, 8);
        return chart;
    }

    /**
     * The weighted training objective ({@code loss_total}) of several runs against step, one
     * smoothed line per run, labelled by run name. With learned sigmas the objective includes the
     * {@code log sigma} terms and can be negative, so the axis is linear.
     */
    public static XYChart total(List<RunRecords> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to plot");
        }
        XYChart chart = newStepChart("Training objective", "weighted objective (dimensionless)");
        int k = 0;
        for (RunRecords r : runs) {
            double[] step = r.stepColumn("step");
            double[] y = Series.movingAverage(r.stepColumn(RunRecords.TOTAL), Series.smoothingHalfWidth(step.length));
            double[][] xy = Series.finite(step, y, false);
            XYSeries s = chart.addSeries(r.name(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Palette.categorical(k++));
            s.setLineStyle(new BasicStroke(1.8f));
        }
        ChartStyle.sparseXLabels(chart, 8);
        return chart;
    }

    /**
     * Per-epoch training and validation loss of one run (left axis) and validation DSC (right
     * axis, percent), from epochs.csv.
     */
    public static XYChart epochs(RunRecords run) {
        if (run.epochs() == null) {
            throw new IllegalArgumentException(run.dir() + ": no epochs.csv");
        }
        XYChart chart = newChart("Per-epoch loss and validation DSC: " + run.name(), "epoch",
                "loss (dimensionless)");
        double[] epoch = Tables.doubles(run.epochs(), "epoch");
        String[][] lines = {{"train_loss", "training loss"}, {"val_loss", "validation loss"}};
        int k = 0;
        for (String[] l : lines) {
            if (run.epochs().containsColumn(l[0])) {
                double[][] xy = Series.finite(epoch, Tables.doubles(run.epochs(), l[0]), false);
                if (xy[0].length > 0) {
                    XYSeries s = chart.addSeries(l[1], xy[0], xy[1]);
                    s.setMarker(SeriesMarkers.CIRCLE);
                    s.setLineColor(Palette.categorical(k));
                    s.setMarkerColor(Palette.categorical(k));
                }
            }
            k++;
        }
        if (run.epochs().containsColumn("val_dsc")) {
            double[] dsc = Tables.doubles(run.epochs(), "val_dsc");
            for (int i = 0; i < dsc.length; i++) {
                dsc[i] *= 100;
            }
            double[][] xy = Series.finite(epoch, dsc, false);
            if (xy[0].length > 0) {
                XYSeries s = chart.addSeries("validation DSC (right axis)", xy[0], xy[1]);
                s.setYAxisGroup(1);
                s.setMarker(SeriesMarkers.DIAMOND);
                s.setLineColor(Palette.categorical(2));
                s.setMarkerColor(Palette.categorical(2));
                s.setLineStyle(new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f));
                chart.setYAxisGroupTitle(1, "validation DSC (%)");
                chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
                chart.getStyler().setYAxisMin(1, 0.0);
                chart.getStyler().setYAxisMax(1, 100.0);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            throw new IllegalArgumentException(run.dir() + ": epochs.csv has no train_loss, val_loss or val_dsc values");
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    /** A chart with training step on x, integer tick labels. */
    static XYChart newStepChart(String title, String y) {
        XYChart chart = newChart(title, "training step (iterations)", y);
        return chart;
    }

    static XYChart newChart(String title, String x, String y) {
        XYChart chart = new XYChart(ChartStyle.WIDTH, ChartStyle.HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(x);
        chart.setYAxisTitle(y);
        ChartStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return chart;
    }

    static void addRawAndSmooth(XYChart chart, String name, double[] x, double[] y, int colour, boolean log) {
        int half = Series.smoothingHalfWidth(x.length);
        if (half > 0) {
            double[][] raw = Series.finite(x, y, log);
            if (raw[0].length > 0) {
                XYSeries r = chart.addSeries(name + " (raw)", raw[0], raw[1]);
                r.setMarker(SeriesMarkers.NONE);
                r.setLineColor(Palette.withAlpha(Palette.categorical(colour), 60));
                r.setLineStyle(new BasicStroke(0.8f));
                r.setShowInLegend(false);
            }
        }
        double[][] sm = Series.finite(x, Series.movingAverage(y, half), log);
        if (sm[0].length == 0) {
            return;
        }
        XYSeries s = chart.addSeries(name, sm[0], sm[1]);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(Palette.categorical(colour));
        s.setLineStyle(new BasicStroke(2f));
    }
}

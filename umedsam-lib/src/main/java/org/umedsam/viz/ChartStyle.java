package org.umedsam.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The house look of every chart: white background, DejaVu Sans (installed with
 * {@code fonts-dejavu-core}, so headless rendering matches on every machine), light grid, the
 * {@link Palette} colours and the legend outside the plot so it never covers data.
 */
public final class ChartStyle {
    /** Default chart width in pixels at 72 dpi. */
    public static final int WIDTH = 820;
    /** Default chart height in pixels at 72 dpi. */
    public static final int HEIGHT = 520;

    private static final String FONT = "DejaVu Sans";

    private ChartStyle() {
    }

    /**
     * Keeps at most {@code maxLabels} x tick labels, at multiples of a 1-2-5 step, blanking the
     * others. XChart 3.8.8 places a tick every 10 steps on a 0..200 axis regardless of the spacing
     * hint, and 3-digit labels then touch; blanking keeps the grid but makes the labels readable.
     * Call after all series are added.
     */
    public static void sparseXLabels(XYChart chart, int maxLabels) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesMap().values()) {
            lo = Math.min(lo, s.getXMin());
            hi = Math.max(hi, s.getXMax());
        }
        if (!(hi > lo)) {
            return;
        }
        double step = niceStep((hi - lo) / Math.max(1, maxLabels - 1));
        DecimalFormat f = new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
            double q = v / step;
            // a hidden label is a space: XChart cannot lay out an empty string (it threw on 150-step runs)
            return Math.abs(q - Math.rint(q)) < 1e-6 ? f.format(v) : " ";
        });
    }

    /** The smallest 1, 2 or 5 times a power of ten that is at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Applies the house style to any axes chart's styler and returns it. */
    public static <S extends AxesChartStyler> S apply(S s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0x99, 0x99, 0x99));
        s.setPlotGridLinesColor(new Color(0xE3, 0xE3, 0xE3));
        s.setPlotGridLinesStroke(new BasicStroke(0.8f));
        s.setChartFontColor(Color.BLACK);
        s.setAxisTickLabelsColor(new Color(0x33, 0x33, 0x33));
        s.setBaseFont(new Font(FONT, Font.PLAIN, 13));
        s.setChartTitleFont(new Font(FONT, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(FONT, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 12));
        s.setLegendFont(new Font(FONT, Font.PLAIN, 12));
        s.setAnnotationTextFont(new Font(FONT, Font.PLAIN, 12));
        s.setChartTitleBoxVisible(false);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendBackgroundColor(Color.WHITE);
        s.setLegendSeriesLineLength(28);
        s.setSeriesColors(Palette.categorical());
        s.setChartPadding(12);
        s.setPlotMargin(6);
        s.setAxisTickMarkLength(4);
        // XChart's default 74 px lets 3-4 digit step labels touch; 100 px keeps them apart
        s.setXAxisTickMarkSpacingHint(100);
        s.setYAxisTickMarkSpacingHint(50);
        s.setToolTipsEnabled(false);
        s.setAntiAlias(true);
        return s;
    }
}

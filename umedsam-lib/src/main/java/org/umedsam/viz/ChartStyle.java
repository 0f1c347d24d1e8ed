package org.umedsam.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
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
    /**
     * Decimal pattern of every tick label: XChart's own default (thousands grouped, as many decimals as the
     * value has, up to 15) but with a digit before the point, which XChart's default leaves out below 0.1
     * (".09"). One plain notation on linear and logarithmic axes alike: XChart's log default would switch to
     * "1E4" and "1E-4" outside 0.001 to 1000. Charts that want fewer decimals set their own pattern (all of
     * them with the leading zero: "0.##").
     */
    public static final String TICK_PATTERN = "#,##0.###############";
    /** Name of the hidden series {@link #roundXTicks} adds. */
    private static final String ROUND_TICKS = " round-ticks";

    private ChartStyle() {
    }

    /**
     * Makes XChart place the x ticks at round numbers (multiples of 1, 2 or 5 times a power of ten)
     * instead of at data values. XChart 3.8.8 puts x ticks on the data points themselves when
     * they are equally spaced (training steps 1, 2, 3, ...; landscape samples -1, -6/7, ...), which
     * gave step axes with one label and landscape ticks such as -0.428571428571429. A hidden
     * one-point series half a spacing after the first x value breaks the equal spacing; it draws
     * nothing, has no legend entry and lies inside the data range, so it changes neither axis.
     * Call after all series are added.
     */
    public static void roundXTicks(XYChart chart) {
        if (chart.getSeriesMap().containsKey(ROUND_TICKS)) {
            return;
        }
        java.util.TreeSet<Double> xs = new java.util.TreeSet<>();
        double y = Double.NaN;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double v : s.getXData()) {
                if (Double.isFinite(v)) {
                    xs.add(v);
                }
            }
            for (double v : s.getYData()) {
                if (Double.isNaN(y) && Double.isFinite(v)) {
                    y = v;
                }
            }
        }
        if (xs.size() < 2 || Double.isNaN(y)) {
            return;
        }
        double first = xs.first();
        double d = xs.higher(first) - first;
        XYSeries hidden = chart.addSeries(ROUND_TICKS, new double[] {first + d / 2}, new double[] {y});
        hidden.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        hidden.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        hidden.setLineColor(new Color(0, 0, 0, 0));
        hidden.setShowInLegend(false);
    }

    /**
     * Whether a logarithmic axis over [lo, hi] gets at least three labelled ticks: XChart labels
     * only powers of ten, so a range spanning less than two decades would show one or two labels.
     */
    public static boolean logAxisReadable(double lo, double hi) {
        if (!(lo > 0) || !(hi > lo) || !Double.isFinite(hi)) {
            return false;
        }
        return Math.floor(Math.log10(hi) + 1e-9) - Math.ceil(Math.log10(lo) - 1e-9) >= 2;
    }

    /**
     * Makes an axis logarithmic over whole decades around [lo, hi] (both positive), at least two
     * decades wide: XChart labels only powers of ten, so whole decades give every axis at least three
     * labelled ticks. A range inside one decade is widened on the side its data lie nearer to.
     *
     * @param y the y axis (else the x axis)
     */
    public static void logAxis(XYChart chart, boolean y, double lo, double hi) {
        if (!(lo > 0) || !(hi >= lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("a logarithmic axis needs 0 < lo <= hi, got [" + lo + ", " + hi + "]");
        }
        int from = (int) Math.floor(Math.log10(lo) + 1e-9);
        int to = (int) Math.ceil(Math.log10(hi) - 1e-9);
        while (to - from < 2) {
            // widen where the data leave less room, so they stay off the frame
            if (to - Math.log10(hi) < Math.log10(lo) - from) {
                to++;
            } else {
                from--;
            }
        }
        if (y) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisMin(Math.pow(10, from));
            chart.getStyler().setYAxisMax(Math.pow(10, to));
        } else {
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setXAxisMin(Math.pow(10, from));
            chart.getStyler().setXAxisMax(Math.pow(10, to));
        }
    }

    /** {@code v} rounded to {@code digits} significant figures, without exponent or trailing zeros (4298.24 -> "4300"). */
    public static String significant(double v, int digits) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == 0) {
            return "0";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    /** Smallest and largest finite value of the given arrays ({+inf, -inf} when there is none). */
    static double[] range(double[]... values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] a : values) {
            for (double v : a) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return new double[] {lo, hi};
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
        // the fallback of every axis (x, y and each y group): a chart's own axis pattern still wins
        s.setDecimalPattern(TICK_PATTERN);
        s.setToolTipsEnabled(false);
        s.setAntiAlias(true);
        return s;
    }
}

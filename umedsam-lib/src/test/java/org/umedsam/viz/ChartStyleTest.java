package org.umedsam.viz;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;

class ChartStyleTest {

    /** Equally spaced steps of any run length get round x ticks, at least three of them. */
    @Test
    void roundTicksForEveryRunLength() throws Exception {
        System.setProperty("java.awt.headless", "true");
        for (int steps : new int[]{8, 60, 150, 200, 400}) {
            XYChart chart = new XYChart(600, 400);
            chart.getStyler().setYAxisLogarithmic(true);
            double[] x = new double[steps];
            double[] y = new double[steps];
            for (int i = 0; i < steps; i++) {
                x[i] = i + 1;
                y[i] = Math.exp(-i / 20.0) + 1e-5;
            }
            chart.addSeries("loss", x, y);
            chart.getStyler().setXAxisTickMarkSpacingHint(100);
            ChartStyle.roundXTicks(chart);
            BufferedImage img = BitmapEncoder.getBufferedImage(chart);
            assertThat(img.getWidth()).as("%d steps", steps).isEqualTo(600);
            java.util.List<String> labels = PaperFiguresRenderTest.labels(chart, true);
            assertThat(labels).as("%d steps", steps).hasSizeGreaterThanOrEqualTo(3);
            // round numbers: at most one significant digit beyond the leading ones of a 1-2-5 step
            assertThat(labels).as("%d steps", steps).allSatisfy(l -> assertThat(l).matches("-?[0-9,]+|-?[0-9]+\\.[0-9]"));
        }
    }

    /** Values below 0.1 keep their leading zero (XChart's default prints ".09"), on linear and log axes. */
    @Test
    void tickLabelsHaveADigitBeforeThePoint() throws Exception {
        System.setProperty("java.awt.headless", "true");
        java.text.DecimalFormat f = new java.text.DecimalFormat(ChartStyle.TICK_PATTERN,
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
        assertThat(f.format(0.09)).isEqualTo("0.09");
        assertThat(f.format(-0.0025)).isEqualTo("-0.0025");
        assertThat(f.format(12000)).isEqualTo("12,000");
        assertThat(f.format(1.5)).isEqualTo("1.5");
        for (boolean log : new boolean[] {false, true}) {
            XYChart chart = new XYChart(600, 400);
            ChartStyle.apply(chart.getStyler());
            chart.getStyler().setLocale(java.util.Locale.ROOT);
            chart.getStyler().setYAxisLogarithmic(log);
            chart.addSeries("loss", new double[] {1, 2, 3, 4}, new double[] {0.12, 0.07, 0.01, log ? 1e-4 : 0.03});
            java.util.List<String> labels = PaperFiguresRenderTest.labels(chart, false);
            assertThat(labels).as("log %s", log).contains(log ? "0.001" : "0.08")
                    .allSatisfy(l -> assertThat(l).matches("-?[0-9]+(\\.[0-9]+)?"));
        }
    }

    @Test
    void logAxisOnlyWhenThreeDecadesAreLabelled() {
        assertThat(ChartStyle.logAxisReadable(0.01, 1)).isTrue();
        assertThat(ChartStyle.logAxisReadable(0.03, 0.6)).isFalse();
        assertThat(ChartStyle.logAxisReadable(0.5, 30)).isFalse();
        assertThat(ChartStyle.logAxisReadable(0, 30)).isFalse();
    }
}

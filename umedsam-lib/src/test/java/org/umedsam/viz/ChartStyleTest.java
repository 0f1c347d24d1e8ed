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

    @Test
    void logAxisOnlyWhenThreeDecadesAreLabelled() {
        assertThat(ChartStyle.logAxisReadable(0.01, 1)).isTrue();
        assertThat(ChartStyle.logAxisReadable(0.03, 0.6)).isFalse();
        assertThat(ChartStyle.logAxisReadable(0.5, 30)).isFalse();
        assertThat(ChartStyle.logAxisReadable(0, 30)).isFalse();
    }
}

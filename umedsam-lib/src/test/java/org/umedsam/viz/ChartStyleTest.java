package org.umedsam.viz;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;

class ChartStyleTest {

    /** A 150-step run on a log axis: hidden x labels must not be empty strings (XChart cannot lay those out). */
    @Test
    void sparseLabelsRenderForEveryRunLength() {
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
            ChartStyle.sparseXLabels(chart, 8);
            BufferedImage img = BitmapEncoder.getBufferedImage(chart);
            assertThat(img.getWidth()).as("%d steps", steps).isEqualTo(600);
        }
    }
}

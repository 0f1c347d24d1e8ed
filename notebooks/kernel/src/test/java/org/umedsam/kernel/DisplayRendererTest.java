package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;

import javax.imageio.ImageIO;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

class DisplayRendererTest {
    private final DisplayRenderer renderer = new DisplayRenderer();

    private static BufferedImage decodePng(DisplayData data) throws Exception {
        Object base64 = data.getData(MIMEType.parse(DisplayRenderer.PNG));
        assertThat(base64).isInstanceOf(String.class);
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) base64)));
    }

    /** Like the library's tables and warnings: known to the kernel only by its toHtml() method. */
    public record Snippet(String body) {
        public String toHtml() {
            return "<b>" + body + "</b>";
        }

        @Override
        public String toString() {
            return body;
        }
    }

    @Test
    void objectsWithToHtmlBecomeHtmlAndText() throws Exception {
        DisplayData data = renderer.render(new Snippet("table"));

        assertThat(data.getData(MIMEType.parse(DisplayRenderer.HTML))).isEqualTo("<b>table</b>");
        assertThat(data.getData(MIMEType.TEXT_PLAIN)).isEqualTo("table");
        assertThat(renderer.render("plain").hasDataForType(MIMEType.parse(DisplayRenderer.HTML))).isFalse();
    }

    @Test
    void bufferedImagesBecomePng() throws Exception {
        BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 2, 0xff0000);

        BufferedImage shown = decodePng(renderer.render(image));

        assertThat(shown.getWidth()).isEqualTo(5);
        assertThat(shown.getHeight()).isEqualTo(4);
        assertThat(shown.getRGB(1, 2) & 0xffffff).isEqualTo(0xff0000);
    }

    @Test
    void xchartChartsBecomePngAndSvg() throws Exception {
        XYChart chart = new XYChartBuilder().width(320).height(200).title("Loss").xAxisTitle("step").build();
        chart.addSeries("train", new double[] {0, 1, 2}, new double[] {3, 2, 1.5});

        DisplayData data = renderer.render(chart);

        BufferedImage png = decodePng(data);
        assertThat(png.getWidth()).isEqualTo(320);
        assertThat(png.getHeight()).isEqualTo(200);
        assertThat((String) data.getData(MIMEType.parse(DisplayRenderer.SVG))).contains("<svg").contains("</svg>");
        assertThat((String) data.getData(MIMEType.parse(DisplayRenderer.TEXT))).isEqualTo("XYChart \"Loss\" 320x200");
    }

    @Test
    void requestedMimeTypesRestrictTheOutput() throws Exception {
        XYChart chart = new XYChartBuilder().width(100).height(80).build();
        chart.addSeries("s", new double[] {0, 1}, new double[] {1, 0});

        DisplayData svgOnly = renderer.render(chart, DisplayRenderer.SVG);
        DisplayData imagePng = renderer.render(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "image/png");

        assertThat(svgOnly.hasDataForType(MIMEType.parse(DisplayRenderer.SVG))).isTrue();
        assertThat(svgOnly.hasDataForType(MIMEType.parse(DisplayRenderer.PNG))).isFalse();
        assertThat(svgOnly.hasDataForType(MIMEType.parse(DisplayRenderer.TEXT))).isFalse();
        assertThat(imagePng.hasDataForType(MIMEType.parse(DisplayRenderer.PNG))).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> renderer.render(chart, "application/pdf"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("application/pdf");
    }

    @Test
    void otherValuesBecomeText() throws Exception {
        assertThat(renderer.render(java.util.List.of(1, 2)).getData(MIMEType.parse(DisplayRenderer.TEXT))).isEqualTo("[1, 2]");
        assertThat(renderer.render(null).getData(MIMEType.parse(DisplayRenderer.TEXT))).isEqualTo("null");
    }
}

package org.umedsam.kernel;

import java.util.Base64;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.display.common.Text;
import io.github.spencerpark.jupyter.kernel.display.common.Url;

/**
 * Turns a cell's value into Jupyter display data: images ({@code RenderedImage}, e.g.
 * {@code BufferedImage}) as image/png, XChart charts as image/png plus image/svg+xml, anything else
 * through basekernel's renderers (text/plain of {@code toString}).
 */
public final class DisplayRenderer {
    public static final String PNG = "image/png";
    public static final String SVG = "image/svg+xml";
    public static final String TEXT = "text/plain";

    private final Renderer renderer = new Renderer();

    public DisplayRenderer() {
        Image.registerAll(renderer);
        Url.registerAll(renderer);
        Text.registerAll(renderer);
    }

    /** The display data for {@code value}; null shows as the text {@code null}. */
    public DisplayData render(Object value) throws Exception {
        if (value == null) {
            return new DisplayData("null");
        }
        if (ChartRenderer.isChart(value)) {
            return renderChart(value);
        }
        return renderer.render(value);
    }

    private static DisplayData renderChart(Object chart) throws Exception {
        DisplayData data = new DisplayData(ChartRenderer.describe(chart));
        data.putData(PNG, Base64.getEncoder().encodeToString(ChartRenderer.png(chart)));
        try {
            data.putData(SVG, ChartRenderer.svg(chart));
        } catch (ClassNotFoundException | NoClassDefFoundError missing) {
            // XChart without VectorGraphics2D on the class path: the PNG still shows the chart.
        }
        return data;
    }
}

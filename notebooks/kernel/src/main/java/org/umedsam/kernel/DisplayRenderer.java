package org.umedsam.kernel;

import java.util.Base64;
import java.util.Set;

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
        return render(value, new String[0]);
    }

    /**
     * The display data for {@code value} in the given MIME types (all it supports if none given).
     * Charts know image/png, image/svg+xml and text/plain; other values go through basekernel's
     * {@code Renderer.renderAs}.
     */
    public DisplayData render(Object value, String... mimeTypes) throws Exception {
        boolean all = mimeTypes == null || mimeTypes.length == 0;
        if (value == null) {
            return new DisplayData("null");
        }
        if (ChartRenderer.isChart(value)) {
            return renderChart(value, all ? Set.of(PNG, SVG, TEXT) : Set.of(mimeTypes));
        }
        return all ? renderer.render(value) : renderer.renderAs(value, mimeTypes);
    }

    private static DisplayData renderChart(Object chart, Set<String> types) throws Exception {
        DisplayData data = new DisplayData();
        if (types.contains(TEXT)) {
            data.putText(ChartRenderer.describe(chart));
        }
        if (types.contains(PNG)) {
            data.putData(PNG, Base64.getEncoder().encodeToString(ChartRenderer.png(chart)));
        }
        if (types.contains(SVG)) {
            try {
                data.putData(SVG, ChartRenderer.svg(chart));
            } catch (ClassNotFoundException | NoClassDefFoundError missing) {
                if (!types.contains(PNG)) {
                    throw new IllegalStateException("SVG needs XChart's VectorGraphics2D on the class path", missing);
                }
                // asked for both: the PNG still shows the chart
            }
        }
        if (!types.contains(TEXT) && !types.contains(PNG) && !types.contains(SVG)) {
            throw new IllegalArgumentException("a chart renders as " + PNG + ", " + SVG + " or " + TEXT
                    + ", not " + types);
        }
        return data;
    }
}

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
 * {@code BufferedImage}) as image/png, XChart charts as image/png plus image/svg+xml, objects with a public
 * {@code String toHtml()} (the library's tables and warnings) as text/html plus text/plain, anything else
 * through basekernel's renderers (text/plain of {@code toString}).
 */
public final class DisplayRenderer {
    public static final String PNG = "image/png";
    public static final String SVG = "image/svg+xml";
    public static final String TEXT = "text/plain";
    public static final String HTML = "text/html";

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
        java.lang.reflect.Method toHtml = htmlMethod(value);
        if (toHtml != null && (all || Set.of(mimeTypes).contains(HTML))) {
            DisplayData data = new DisplayData(String.valueOf(value));
            data.putHTML(String.valueOf(toHtml.invoke(value)));
            return data;
        }
        return all ? renderer.render(value) : renderer.renderAs(value, mimeTypes);
    }

    /**
     * A public no-argument {@code String toHtml()} of the value's class (as the library's tables and warnings have),
     * or null: the value then also shows as text/html. Found by name, so the kernel needs no library on its class path.
     */
    static java.lang.reflect.Method htmlMethod(Object value) {
        try {
            java.lang.reflect.Method m = value.getClass().getMethod("toHtml");
            return m.getReturnType() == String.class && java.lang.reflect.Modifier.isPublic(m.getDeclaringClass()
                    .getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
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

package org.umedsam.kernel;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * Renders XChart charts without depending on XChart: the chart's own class loader supplies
 * {@code org.knowm.xchart.BitmapEncoder} (PNG) and {@code VectorGraphicsEncoder} (SVG), so whatever
 * XChart version the notebook's class path carries is the one used.
 */
final class ChartRenderer {
    static final String CHART_CLASS = "org.knowm.xchart.internal.chartpart.Chart";

    private ChartRenderer() {
    }

    /** True if {@code value} is an XChart chart (any subclass of {@value #CHART_CLASS}). */
    static boolean isChart(Object value) {
        if (value == null) {
            return false;
        }
        for (Class<?> c = value.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(CHART_CLASS)) {
                return true;
            }
        }
        return false;
    }

    /** The chart as PNG bytes, at the chart's own width and height. */
    static byte[] png(Object chart) throws Exception {
        ClassLoader loader = chart.getClass().getClassLoader();
        Class<?> chartClass = Class.forName(CHART_CLASS, false, loader);
        Class<?> encoder = Class.forName("org.knowm.xchart.BitmapEncoder", true, loader);
        Class<?> format = Class.forName("org.knowm.xchart.BitmapEncoder$BitmapFormat", true, loader);
        Method getBytes = encoder.getMethod("getBitmapBytes", chartClass, format);
        return (byte[]) invoke(getBytes, chart, enumConstant(format, "PNG"));
    }

    /** The chart as an SVG document; needs XChart's VectorGraphics2D dependency on the class path. */
    static String svg(Object chart) throws Exception {
        ClassLoader loader = chart.getClass().getClassLoader();
        Class<?> chartClass = Class.forName(CHART_CLASS, false, loader);
        Class<?> encoder = Class.forName("org.knowm.xchart.VectorGraphicsEncoder", true, loader);
        Class<?> format = Class.forName("org.knowm.xchart.VectorGraphicsEncoder$VectorGraphicsFormat", true, loader);
        Method save = encoder.getMethod("saveVectorGraphic", chartClass, java.io.OutputStream.class, format);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        invoke(save, chart, out, enumConstant(format, "SVG"));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A one-line text stand-in, e.g. {@code XYChart "Loss" 600x400}. */
    static String describe(Object chart) {
        String title = "";
        String size = "";
        try {
            Object t = chart.getClass().getMethod("getTitle").invoke(chart);
            if (t != null && !t.toString().isEmpty()) {
                title = " \"" + t + "\"";
            }
            Object w = chart.getClass().getMethod("getWidth").invoke(chart);
            Object h = chart.getClass().getMethod("getHeight").invoke(chart);
            size = " " + w + "x" + h;
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // an older or newer XChart without these getters: the class name alone still says what it is
        }
        return chart.getClass().getSimpleName() + title + size;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> enumClass, String name) {
        return Enum.valueOf((Class) enumClass, name);
    }

    private static Object invoke(Method method, Object... args) throws Exception {
        try {
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }
}

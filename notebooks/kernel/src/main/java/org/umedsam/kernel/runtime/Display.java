package org.umedsam.kernel.runtime;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

/**
 * What notebook cells call, with IJava's names and signatures (the kernel imports these statically
 * into every cell, as IJava does): {@code display(x)} shows {@code x} below the cell and returns its
 * display id, {@code updateDisplay(id, x)} replaces that output (live charts), {@code render(x)}
 * returns the display data without showing it. A {@code BufferedImage} renders as PNG, an XChart
 * chart as PNG and SVG, anything else as text. The optional MIME types ({@code "image/png"},
 * {@code "image/svg+xml"}, {@code "text/plain"}) restrict what is rendered.
 */
public final class Display {
    /** Where rendering and output go; the running kernel installs one. */
    public interface Sink {
        /** Renders {@code value}, restricted to {@code mimeTypes} unless that is empty. */
        DisplayData render(Object value, String... mimeTypes);

        /** Publishes new output. */
        void display(DisplayData data);

        /** Replaces the output published with display id {@code id}. */
        void updateDisplay(String id, DisplayData data);
    }

    private static volatile Sink sink;

    private Display() {
    }

    /** Installs the kernel's sink (null removes it). */
    public static void install(Sink newSink) {
        sink = newSink;
    }

    private static Sink sink() {
        Sink current = sink;
        if (current == null) {
            throw new IllegalStateException("display() works only inside the Java kernel");
        }
        return current;
    }

    /** The display data of {@code value}, not shown. */
    public static DisplayData render(Object value) {
        return sink().render(value);
    }

    /** The display data of {@code value} in the given MIME types, not shown. */
    public static DisplayData render(Object value, String... mimeTypes) {
        return sink().render(value, mimeTypes);
    }

    /** Shows {@code value} below the cell; returns the output's display id (for {@link #updateDisplay}). */
    public static String display(Object value) {
        return display(value, new String[0]);
    }

    /** Shows {@code value} in the given MIME types; returns the output's display id. */
    public static String display(Object value, String... mimeTypes) {
        DisplayData data = sink().render(value, mimeTypes);
        String id = data.getDisplayId();
        if (id == null) {
            id = java.util.UUID.randomUUID().toString();
            data.setDisplayId(id);
        }
        sink().display(data);
        return id;
    }

    /** Replaces the output {@code id} (returned by {@link #display}) with {@code value}. */
    public static void updateDisplay(String id, Object value) {
        updateDisplay(id, value, new String[0]);
    }

    /** Replaces the output {@code id} with {@code value} in the given MIME types. */
    public static void updateDisplay(String id, Object value, String... mimeTypes) {
        sink().updateDisplay(id, sink().render(value, mimeTypes));
    }

    /** {@code System.out.printf}, which IJava also offers unqualified. */
    public static void printf(String format, Object... args) {
        System.out.printf(format, args);
    }
}

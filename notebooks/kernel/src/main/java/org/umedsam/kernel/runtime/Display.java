package org.umedsam.kernel.runtime;

/**
 * What notebook cells call: {@code display(anything)} shows it below the cell, as in IJava, whose
 * kernel imports the same static method into every cell. A {@code BufferedImage} shows as PNG, an
 * XChart chart as PNG and SVG, anything else as text.
 */
public final class Display {
    /** Where displayed objects go; the running kernel installs one. */
    @FunctionalInterface
    public interface Sink {
        /** Shows {@code value}; returns the display id. */
        String display(Object value);
    }

    private static volatile Sink sink;

    private Display() {
    }

    /** Installs the kernel's sink (null removes it). */
    public static void install(Sink newSink) {
        sink = newSink;
    }

    /**
     * Shows {@code value} in the notebook.
     *
     * @return the display id of the output
     * @throws IllegalStateException outside a running kernel
     */
    public static String display(Object value) {
        Sink current = sink;
        if (current == null) {
            throw new IllegalStateException("display() works only inside the Java kernel");
        }
        return current.display(value);
    }
}

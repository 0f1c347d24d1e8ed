package org.umedsam.model;

import java.util.function.Supplier;

/**
 * Test code run with the CPU engine's vectorised kernels turned off ({@code -Dumedsam.vectorKernels=false},
 * {@link VectorSupport#PROPERTY}), the property restored to what it was afterwards, so the tests after see the JVM's
 * own setting.
 */
public final class PlainKernels {

    private PlainKernels() {
    }

    /** {@code body} with the plain-Java kernels. */
    public static void run(Runnable body) {
        get(() -> {
            body.run();
            return null;
        });
    }

    /** {@code body}'s result, computed with the plain-Java kernels. */
    public static <T> T get(Supplier<T> body) {
        String before = System.getProperty(VectorSupport.PROPERTY);
        System.setProperty(VectorSupport.PROPERTY, "false");
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(VectorSupport.PROPERTY);
            } else {
                System.setProperty(VectorSupport.PROPERTY, before);
            }
        }
    }
}

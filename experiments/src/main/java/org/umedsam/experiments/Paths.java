package org.umedsam.experiments;

import java.nio.file.Path;

/** Default locations relative to the checkout (the folder holding {@code umedsam-lib/} and {@code pom.xml}). */
final class Paths {
    private Paths() {
    }

    /** The checkout ({@link org.umedsam.io.Checkout}), else the working directory. */
    static Path root() {
        return org.umedsam.io.Checkout.rootOrWorkingDirectory();
    }
}

package org.umedsam.experiments;

import java.nio.file.Files;
import java.nio.file.Path;

/** Default locations relative to the checkout (the folder holding {@code umedsam-lib/} and {@code pom.xml}). */
final class Paths {
    private Paths() {
    }

    /** The checkout root found upwards from the working directory, else the working directory. */
    static Path root() {
        Path d = Path.of("").toAbsolutePath();
        for (Path p = d; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("umedsam-lib")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return d;
    }
}

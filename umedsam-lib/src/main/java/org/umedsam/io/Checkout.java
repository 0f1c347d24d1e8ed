package org.umedsam.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the toolkit's checkout is (the folder holding {@code pom.xml} and {@code umedsam-lib/}), so that default
 * locations ({@code data/}, {@code runs/}, {@code models/}, {@code experiments/configs/}) do not depend on where a
 * command was started: first upwards from the working directory (a checkout a user works in, even one other than
 * the jar's), else upwards from this code's own location ({@code experiments/target/umedsam.jar} or
 * {@code umedsam-lib/target/classes}), so {@code java -jar ~/umedsam/experiments/target/umedsam.jar} started in
 * another folder still finds its checkout instead of building a dataset where it was started.
 */
public final class Checkout {
    private Checkout() {
    }

    /** The checkout, or empty when neither the working directory nor this code lies in one. */
    public static Optional<Path> root() {
        Optional<Path> r = upwardsFrom(Path.of("").toAbsolutePath());
        if (r.isPresent()) {
            return r;
        }
        try {
            return upwardsFrom(Path.of(Checkout.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@link #root()}, else the working directory (a copied jar outside any checkout). */
    public static Path rootOrWorkingDirectory() {
        return root().orElse(Path.of("").toAbsolutePath());
    }

    static Optional<Path> upwardsFrom(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("umedsam-lib")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}

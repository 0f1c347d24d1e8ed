package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckoutTest {

    @Test
    void theCheckoutIsTheNearestFolderUpwardsWithPomAndLibrary(@TempDir Path dir) throws IOException {
        Path checkout = dir.resolve("umedsam");
        Files.createDirectories(checkout.resolve("umedsam-lib"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Path deep = Files.createDirectories(checkout.resolve("experiments").resolve("target"));
        assertThat(Checkout.upwardsFrom(deep)).contains(checkout);
        assertThat(Checkout.upwardsFrom(checkout)).contains(checkout);
        // a folder outside any checkout (a pom alone is not one)
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("pom.xml"), "<project/>");
        assertThat(Checkout.upwardsFrom(elsewhere)).isEmpty();
    }

    /** Started from another folder, the jar falls back to its own location, which lies in this checkout. */
    @Test
    void thisCodesOwnLocationLiesInTheCheckout() throws Exception {
        Path code = Path.of(Checkout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(Checkout.upwardsFrom(code)).contains(Checkout.root().orElseThrow());
    }
}

package org.umedsam.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.umedsam.io.Checkout;

class ShippedModelsTest {

    /** One rule finds the checkout: the shipped models are its models/ folder, wherever the tests were started. */
    @Test
    void withoutASettingTheFolderIsTheCheckoutsModelsFolder() {
        assumeTrue(System.getProperty(ShippedModels.PROPERTY) == null && System.getenv(ShippedModels.ENV) == null,
                "a models folder is set");
        Path root = Checkout.root().orElseThrow();
        assertThat(ShippedModels.folder()).contains(root.resolve("models"));
        assertThat(ShippedModels.names()).contains(ShippedModels.SMALL_BASE);
    }
}

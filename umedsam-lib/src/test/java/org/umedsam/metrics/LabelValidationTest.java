package org.umedsam.metrics;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/** A float {@code segs} with fractions is refused by name, not truncated into a wrong score (issue 15). */
class LabelValidationTest {
    @Test
    void fractionalPredictedLabelsAreRefused(@TempDir Path dir) throws IOException {
        Path gts = dir.resolve("gts.npz");
        Path segs = dir.resolve("segs.npz");
        Npz.write(gts, Map.of("gts", NpyArray.ofUint8(new byte[] {0, 1, 1, 0}, 2, 2)), true);
        Npz.write(segs, Map.of("segs", NpyArray.ofFloat32(new float[] {0, 0.5f, 1, 0}, 2, 2)), true);
        assertThatThrownBy(() -> CaseScore.evaluateFiles(gts, segs, ScoreConfig.defaults()))
                .isInstanceOf(IOException.class).hasMessageStartingWith(segs.toString())
                .hasMessageContaining("'segs' value 0.5 at index 1").hasMessageContaining("is not a whole number");
    }
}

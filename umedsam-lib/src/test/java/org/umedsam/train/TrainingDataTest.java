package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.data.Case;
import org.umedsam.data.CaseWriter;

/** {@link TrainingData}: the check of every case before the first step. */
class TrainingDataTest {

    private static Case twoD(String name, boolean labelled) {
        int h = 16;
        int w = 16;
        byte[] imgs = new byte[h * w * 3];
        byte[] gts = new byte[h * w];
        if (labelled) {
            for (int y = 4; y < 10; y++) {
                for (int x = 4; x < 10; x++) {
                    gts[y * w + x] = 1;
                }
            }
        }
        return new Case(name, "CT", false, false, new int[] {h, w, 3}, imgs, gts, null, null);
    }

    @Test
    void aCaseWhoseGtsAreAllBackgroundFailsTheCheckOrIsSkipped(@TempDir Path dir) throws IOException {
        Path train = Files.createDirectories(dir.resolve("train"));
        CaseWriter.write(twoD("2D_CT_good", true), train);
        Path bad = CaseWriter.write(twoD("2D_CT_empty", false), train);
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "r", "validationFraction", 0));
        assertThatThrownBy(() -> TrainingData.of(dir, c, false, s -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("no labelled slice");
        List<String> warnings = new ArrayList<>();
        TrainingData d = TrainingData.of(dir, c, true, warnings::add);
        assertThat(d.trainCases()).isEqualTo(1);
        assertThat(d.train().dataDir()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(d.skipped()).singleElement().asString().contains(bad.toString());
        assertThat(warnings).singleElement().asString().startsWith("warning: skipping " + bad);
    }
}

package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.loss.FixedWeightedLoss;
import org.umedsam.loss.UncertaintyWeightedLoss;

class TrainConfigTest {
    @Test
    void jsonRoundTripsAndPartialFilesTakeTheDefaults(@TempDir Path dir) throws Exception {
        TrainConfig d = TrainConfig.defaults();
        d.write(dir.resolve("c.json"));
        assertThat(TrainConfig.read(dir.resolve("c.json"))).isEqualTo(d);
        TrainConfig partial = TrainConfig.fromJson("{\"name\": \"baseline\", \"weighting\": \"fixed\", "
                + "\"losses\": [\"dice\", \"bce\", \"iou\"], \"sam\": false, \"_comment\": \"x\"}", "p.json");
        assertThat(partial.learningRate()).isEqualTo(5e-5);
        assertThat(partial.buildLoss()).isInstanceOf(FixedWeightedLoss.class);
        assertThat(partial.buildLoss().termNames()).containsExactly("dice", "bce", "iou");
        assertThat(d.buildLoss()).isInstanceOf(UncertaintyWeightedLoss.class);
        assertThat(d.buildLoss().logSigmaCount()).isEqualTo(4);
    }

    @Test
    void badInputIsRejectedNamingTheFileAndKey() {
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"lr\": 1}", "x.json"))
                .hasMessageContaining("x.json").hasMessageContaining("unknown key 'lr'");
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"losses\": [\"dice\", \"hausdorff\"]}", "y.json"))
                .hasMessageContaining("y.json").hasMessageContaining("hausdorff");
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"batchSize\": 0}", "z.json"))
                .hasMessageContaining("z.json").hasMessageContaining("batchSize");
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"fixedWeights\": [1, 2]}", "w.json"))
                .hasMessageContaining("fixedWeights");
        assertThatThrownBy(() -> TrainConfig.fromJson("[1]", "v.json")).hasMessageContaining("v.json");
    }

    @Test
    void experimentConfigsParse() throws Exception {
        Path dir = Path.of("..", "experiments", "configs");
        for (String n : List.of("baseline", "only-sd", "no-sam", "full")) {
            TrainConfig c = TrainConfig.read(dir.resolve(n + ".json"));
            assertThat(c.name()).isEqualTo(n);
            assertThat(c.batchSize()).isEqualTo(2);
            assertThat(c.learningRate()).isEqualTo(5e-5);
            assertThat(c.plateauFactor()).isEqualTo(0.9);
            assertThat(c.plateauPatience()).isEqualTo(5);
        }
        assertThat(TrainConfig.read(dir.resolve("full.json")).sam()).isTrue();
        assertThat(TrainConfig.read(dir.resolve("no-sam.json")).sam()).isFalse();
        assertThat(TrainConfig.read(dir.resolve("baseline.json")).weighting()).isEqualTo("fixed");
        assertThat(TrainConfig.read(dir.resolve("only-sd.json")).losses()).containsExactly("sd");
    }

    @Test
    void runNamesThatWouldEscapeOrHideTheRunFolderAreRefused() {
        for (String bad : List.of("..", ".", ".hidden", "a/b", "")) {
            assertThatThrownBy(() -> TrainConfig.defaults().with(java.util.Map.of("name", bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not start with '.'");
        }
        assertThat(TrainConfig.defaults().with(java.util.Map.of("name", "run.2")).name()).isEqualTo("run.2");
    }
}

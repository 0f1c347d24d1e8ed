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
        // a key given twice would silently take its last value
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"sam\": true, \"epochs\": 2, \"sam\": false}", "u.json"))
                .hasMessage("u.json: key 'sam' appears more than once");
    }

    @Test
    void jsonTypesAreTakenStrictlyAndTheMessageNamesFileKeyAndValue() {
        String[][] cases = {
            {"{\"sam\": \"yes\"}", "c.json: key 'sam' must be true or false, got \"yes\""},
            {"{\"sam\": 1}", "c.json: key 'sam' must be true or false, got 1"},
            {"{\"batchSize\": 2.5}", "c.json: key 'batchSize' must be a whole number (int), got 2.5"},
            {"{\"epochs\": 1.9}", "c.json: key 'epochs' must be a whole number (int), got 1.9"},
            {"{\"batchSize\": 1e10}", "c.json: key 'batchSize' must be a whole number (int) from -2147483648 to "
                    + "2147483647, got 1e10"},
            {"{\"batchSize\": 3000000000}", "c.json: key 'batchSize' must be a whole number (int) from -2147483648"
                    + " to 2147483647, got 3000000000"},
            {"{\"batchSize\": \"two\"}", "c.json: key 'batchSize' must be a whole number (int), got \"two\""},
            {"{\"seed\": \"abc\"}", "c.json: key 'seed' must be a whole number (long), got \"abc\""},
            {"{\"learningRate\": NaN}", "c.json: key 'learningRate' must be a finite number, got \"NaN\""},
            {"{\"learningRate\": \"1e-4\"}", "c.json: key 'learningRate' must be a finite number, got \"1e-4\""},
            {"{\"name\": null}", "c.json: key 'name' must be a string, got null"},
            {"{\"name\": 3}", "c.json: key 'name' must be a string, got 3"},
            {"{\"losses\": \"dice\"}", "c.json: key 'losses' must be a list of strings, got \"dice\""},
            {"{\"fixedWeights\": [1, \"2\"]}", "c.json: key 'fixedWeights' must be a list of numbers, got [1,\"2\"]"},
            {"{\"trainable\": \"decoder\"}", "c.json: key 'trainable' must be ALL or MASK_DECODER_AND_SIGMAS, got "
                    + "\"decoder\""},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> TrainConfig.fromJson(c[0], "c.json")).as(c[0])
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(c[1]);
        }
        // whole numbers written with a fraction part of zero or an exponent are whole numbers
        assertThat(TrainConfig.fromJson("{\"batchSize\": 4.0, \"epochs\": 2e1}", "c.json").epochs()).isEqualTo(20);
        assertThat(TrainConfig.fromJson("{\"learningRate\": 1}", "c.json").learningRate()).isEqualTo(1.0);
        // overrides are held to the same types
        assertThatThrownBy(() -> TrainConfig.defaults().with(java.util.Map.of("sam", "yes")))
                .hasMessage("key 'sam' must be true or false, got \"yes\"");
    }

    @Test
    void everyShippedConfigParses() throws Exception {
        try (var files = java.nio.file.Files.list(Path.of("..", "experiments", "configs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                assertThat(TrainConfig.read(f)).as(f.toString()).isNotNull();
            }
        }
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

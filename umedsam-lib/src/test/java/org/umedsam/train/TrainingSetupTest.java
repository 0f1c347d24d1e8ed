package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

/** {@link TrainingSetup}: a configuration's fresh model, and a trained run's model from its checkpoint. */
class TrainingSetupTest {

    private static TrainConfig small(String trainable, long seed) {
        return TrainConfig.defaults().with(Map.of("name", "r", "modelPreset", "small", "trainable", trainable,
                "seed", seed));
    }

    @Test
    void aFreshModelIsTheConfigurationsPresetAndSeed() {
        TrainConfig c = small("ALL", 4);
        LiteMedSamModel m = TrainingSetup.model(c);
        LiteMedSam same = LiteMedSam.create(ModelConfig.named("small"), 4);
        same.parameters().forEach((k, v) -> assertThat(m.parameters().get(k)).as(k).isEqualTo(v));
        assertThat(m.parameterNames(ParameterGroup.ALL)).isEqualTo(same.parameters().keySet());
        TrainingSetup s = TrainingSetup.of(c, TrainerTest.train(4, 1), null);
        assertThat(s.validation()).isNull();
        assertThatThrownBy(() -> new TrainingSetup(c, m, null, null)).hasMessageContaining("training items");
    }

    @Test
    void aTrainedRunsModelHasItsCheckpointsWeightsAndRefusesAnotherPresets(@TempDir Path root) throws IOException {
        TrainConfig c = small("MASK_DECODER_AND_SIGMAS", 1);
        Path dir = root.resolve("r");
        Files.createDirectories(dir.resolve(RunFolder.CHECKPOINT_DIR));
        c.write(dir.resolve(RunFolder.CONFIG));
        LiteMedSam trained = LiteMedSam.create(ModelConfig.named("small"), 9);
        new Checkpoint(trained.parameters(), trained.buffers(), Map.of(), new double[0],
                new Checkpoint.Meta(1, 0, 1, 0, 0, 0, Map.of(), c.toJson()))
                .write(dir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST));
        LiteMedSamModel m = TrainingSetup.trained(dir);
        for (Map.Entry<String, INDArray> e : trained.parameters().entrySet()) {
            assertThat(m.parameters().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        small("ALL", 1).with(Map.of("modelPreset", "litemedsam")).write(dir.resolve(RunFolder.CONFIG));
        assertThatThrownBy(() -> TrainingSetup.trained(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("last.ckpt");
    }
}

package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelFiles;
import org.umedsam.model.ShippedModels;

/** The pre-training recipe has one definition, a run exports its best checkpoint, and shipped models load by name. */
class PretrainingTest {
    @Test
    void exportWritesTheBestCheckpointsWeightsAsModelAndStateDict(@TempDir Path runs) throws IOException {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "base", "modelPreset", "small", "seed", 3));
        RunFolder folder = RunFolder.createFresh(runs, "base");
        c.write(folder.config());
        LiteMedSam best = LiteMedSam.create(ModelConfig.named("small"), 8);
        LiteMedSam last = LiteMedSam.create(ModelConfig.named("small"), 9);
        Checkpoint.Meta meta = new Checkpoint.Meta(1, 1, 0, 0, 0, 0.5, Map.of(), c.toJson());
        new Checkpoint(best.parameters(), best.buffers(), Map.of(), new double[4], meta).write(folder.bestCheckpoint());
        new Checkpoint(last.parameters(), last.buffers(), Map.of(), new double[4], meta).write(folder.lastCheckpoint());
        LiteMedSam exported = Pretraining.export(folder.dir());
        for (LiteMedSam m : new LiteMedSam[] {exported, ModelFiles.load(folder.dir().resolve(Pretraining.MODEL_FILE)),
            ModelFiles.load(folder.dir().resolve(Pretraining.PTH_FILE), ModelConfig.named("small"))}) {
            best.parameters().forEach((k, v) -> assertThat(m.parameters().get(k)).as(k).isEqualTo(v));
        }
    }

    @Test
    void theBuiltInRecipeIsTheCommittedConfig() throws IOException {
        TrainConfig file = TrainConfig.read(Path.of("../experiments/configs/pretrain.json"));
        assertThat(Pretraining.config()).isEqualTo(file);
        assertThat(file.trainable()).isEqualTo(ParameterGroup.ALL);
        assertThat(file.modelPreset()).isEqualTo("small");
        assertThat(file.initialWeights()).isEmpty(); // from random initialisation
    }

    @Test
    void theContinuedRecipeDiffersFromTheFirstInStartSeedRateAndLengthOnly() throws IOException {
        TrainConfig continued = TrainConfig.read(Path.of("../experiments/configs/pretrain-continued.json"));
        assertThat(continued).isEqualTo(Pretraining.config().with(Map.of("name", "small-base-continued",
                "initialWeights", ShippedModels.SMALL_BASE, "seed", 2025, "learningRate", 3e-4, "maxSteps", 3000)));
    }

    @Test
    void shippedModelsResolveByNameAndSayWhatIsThere(@TempDir Path models) throws IOException {
        LiteMedSam m = LiteMedSam.create(LiteMedSamModelTest.tiny(), 4L);
        m.save(models.resolve("tiny-base.npz"));
        String old = System.getProperty(ShippedModels.PROPERTY);
        System.setProperty(ShippedModels.PROPERTY, models.toString());
        try {
            assertThat(ShippedModels.names()).containsExactly("tiny-base");
            assertThat(ShippedModels.resolve(Path.of("tiny-base"))).isEqualTo(models.resolve("tiny-base.npz"));
            Map<String, INDArray> w = InitialWeights.read(Path.of("tiny-base"));
            assertThat(w.get("mask_decoder.iou_token.weight")).isEqualTo(m.stateDict().get("mask_decoder.iou_token.weight"));
            assertThatThrownBy(() -> ShippedModels.resolve(Path.of("no-such-model")))
                    .isInstanceOf(IOException.class).hasMessageContaining("no-such-model")
                    .hasMessageContaining("shipped: [tiny-base]");
            assertThatThrownBy(() -> ShippedModels.resolve(Path.of("some/dir/file.npz")))
                    .isInstanceOf(IOException.class).hasMessageContaining("no such weights file");
        } finally {
            if (old == null) {
                System.clearProperty(ShippedModels.PROPERTY);
            } else {
                System.setProperty(ShippedModels.PROPERTY, old);
            }
        }
    }
}

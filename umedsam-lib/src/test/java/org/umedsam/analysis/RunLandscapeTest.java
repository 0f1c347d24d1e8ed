package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.model.LiteMedSam;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.report.RunFiles;
import org.umedsam.train.Batch;
import org.umedsam.train.Checkpoint;
import org.umedsam.train.LiteMedSamModel;
import org.umedsam.train.RunFolder;
import org.umedsam.train.TrainConfig;
import org.umedsam.train.TrainingExample;

/** A run folder's landscape is measured on the common objective, whatever loss the run trained with. */
class RunLandscapeTest {
    static Path run(Path root, String name, Map<String, Object> loss, double[] logSigmas, LiteMedSam model)
            throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir.resolve(RunFolder.CHECKPOINT_DIR));
        java.util.HashMap<String, Object> changes = new java.util.HashMap<>(loss);
        changes.put("name", name);
        changes.put("modelPreset", "small");
        changes.put("trainable", "MASK_DECODER_AND_SIGMAS");
        TrainConfig config = TrainConfig.defaults().with(changes);
        config.write(dir.resolve(RunFolder.CONFIG));
        new Checkpoint(model.parameters(), model.buffers(), Map.of(), logSigmas,
                new Checkpoint.Meta(1, 0, 1, 0, 0, 0, Map.of(), config.toJson()))
                .write(dir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST));
        return dir;
    }

    static Batch batch() {
        return Batch.of(List.of(sampleA()));
    }

    private static TrainingExample sampleA() {
        int side = 256;
        Random r = new Random(3);
        float[] img = new float[3 * side * side];
        byte[] mask = new byte[side * side];
        for (int i = 0; i < img.length; i++) {
            img[i] = r.nextFloat();
        }
        for (int y = 80; y < 170; y++) {
            for (int x = 60; x < 200; x++) {
                mask[y * side + x] = 1;
            }
        }
        return new TrainingExample("a", img, new float[] {55, 75, 205, 175}, mask, side, side, "synthetic");
    }

    /** The landscape batch's sample and a second one with a smaller box and mask. */
    static Batch widerBatch() {
        TrainingExample a = sampleA();
        int side = 256;
        byte[] mask = new byte[side * side];
        for (int y = 100; y < 140; y++) {
            for (int x = 90; x < 150; x++) {
                mask[y * side + x] = 1;
            }
        }
        return Batch.of(List.of(a, new TrainingExample("b", a.image(), new float[] {85, 95, 155, 145}, mask, side, side,
                "synthetic")));
    }

    @Test
    void theSharpnessEstimateCanUseABatchOfItsOwn(@TempDir Path root) throws IOException {
        Path full = run(root, "full-s0", Map.of("losses", List.of("dice", "bce", "iou", "sd"), "weighting", "uncertainty"),
                new double[] {0.4, -0.3, 0.2, 0.1}, LiteMedSamModel.create("small", 5));
        AblationSettings s = new AblationSettings("t", List.of("full"), List.of(0L),
                AblationSettings.smoke().dataProfile(), "small", AblationSettings.smoke().trainable(), 1, 1, 0, 0, 0,
                List.of("full"), 1, 3, 3, 1, 0.5, 0.05, 1, 0, 2, 0, 0, 0, "");
        RunLandscape.Result r = RunLandscape.compute(full, batch(), widerBatch(), s);
        assertThat(r.batch()).isEqualTo(1);
        assertThat(r.sharpnessBatch()).isEqualTo(2);
        // the grids are on the landscape batch, the estimate's centre on its own batch
        LandscapeSurface surface = LandscapeSurface.read(full.resolve(RunFiles.LANDSCAPE_DIR).resolve(RunFiles.surface(0)), "f");
        assertThat(r.loss()).isNotEqualTo(surface.losses()[1][1]);
        JsonObject o = JsonParser.parseString(Files.readString(full.resolve(RunFiles.LANDSCAPE_DIR)
                .resolve(RunFiles.SHARPNESS))).getAsJsonObject();
        assertThat(o.get("sharpnessBatch").getAsInt()).isEqualTo(2);
        // the per-run table reports the batch the sharpness was measured on
        Files.writeString(full.resolve("steps.csv"), "step,loss_total\n1,1.0\n");
        assertThat(org.umedsam.report.RunsDirectory.read(root).sharpness().doubleColumn("batch").get(0)).isEqualTo(2.0);
    }

    @Test
    void everyRunIsSlicedOnTheSameObjectiveAlongTheSameDirections(@TempDir Path root) throws IOException {
        LiteMedSam model = LiteMedSamModel.create("small", 5);
        Path baseline = run(root, "baseline-s0", Map.of("losses", List.of("dice", "bce", "iou"), "weighting", "fixed"),
                new double[0], model);
        Path full = run(root, "full-s0", Map.of("losses", List.of("dice", "bce", "iou", "sd"), "weighting", "uncertainty"),
                new double[] {0.4, -0.3, 0.2, 0.1}, model);
        AblationSettings s = new AblationSettings("t", List.of("baseline", "full"), List.of(0L),
                AblationSettings.smoke().dataProfile(), "small", AblationSettings.smoke().trainable(), 1, 1, 0, 0, 0,
                List.of("baseline", "full"), 1, 3, 3, 2, 0.5, 0.05, 1, 0, 0, 0, 0, 0, "");
        Batch batch = batch();
        RunLandscape.Result b = RunLandscape.compute(baseline, batch, s);
        RunLandscape.Result f = RunLandscape.compute(full, batch, s);
        // the same weights under two different training objectives: one landscape
        assertThat(f.loss()).isEqualTo(b.loss());
        assertThat(f.objective()).isEqualTo(CommonObjective.NAME);
        for (int k = 0; k < 2; k++) {
            LandscapeSurface sb = LandscapeSurface.read(baseline.resolve(RunFiles.LANDSCAPE_DIR).resolve(RunFiles.surface(k)), "b");
            LandscapeSurface sf = LandscapeSurface.read(full.resolve(RunFiles.LANDSCAPE_DIR).resolve(RunFiles.surface(k)), "f");
            assertThat(sf.losses()).isDeepEqualTo(sb.losses());
            assertThat(sb.losses()[1][1]).isEqualTo(b.loss());
            assertThat(full.resolve(RunFiles.LANDSCAPE_DIR).resolve(RunFiles.line(k))).exists();
        }
        // ... while each run's own objective at the centre is kept beside it, and differs
        assertThat(b.runObjectiveLoss()).isEqualTo(b.loss());
        assertThat(f.runObjectiveLoss()).isNotEqualTo(f.loss());
        JsonObject o = JsonParser.parseString(Files.readString(full.resolve(RunFiles.LANDSCAPE_DIR)
                .resolve(RunFiles.SHARPNESS))).getAsJsonObject();
        assertThat(o.get("runObjectiveLoss").getAsDouble()).isEqualTo(f.runObjectiveLoss());
        assertThat(o.get("directionPairs").getAsInt()).isEqualTo(2);
        assertThat(o.get("sharpness").getAsDouble()).isEqualTo(f.sharpness());
    }
}

package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelOutput;

/**
 * {@link BatchNormCalibration}: pooled statistics equal to one batch of every calibration image at the first
 * BatchNorm, independent of the statistics before, and run by the trainer at epoch ends.
 */
class BatchNormCalibrationTest {
    private static final String FIRST = "image_encoder.patch_embed.seq.0.bn";

    private static Map<String, float[]> runningStatistics(LiteMedSam m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.buffers().forEach((k, v) -> {
            if (k.endsWith(".running_mean") || k.endsWith(".running_var")) {
                out.put(k, v.dup().data().asFloat());
            }
        });
        return out;
    }

    @Test
    void batchesOfTwoPoolToTheStatisticsOfOneBatchOfEveryImage() {
        TrainingSource source = LiteMedSamModelTest.data(6, 1);
        LiteMedSam m = LiteMedSam.create(LiteMedSamModelTest.tiny(), 3L);
        LiteMedSamModel model = new LiteMedSamModel(m, false);
        BatchNormCalibration.Result r = new BatchNormCalibration(source, 100, 2, 1).run(model);
        assertThat(r.images()).isEqualTo(6); // all the source holds
        assertThat(r.layers()).isEqualTo(m.buffers().keySet().stream().filter(k -> k.endsWith(".running_mean")).count());

        Batch all = Batch.load(source, 0, 0, 6, 1, new HashMap<>());
        ModelOutput.BatchNormStatistics one = model.forward(all.images(), all.boxes(), true).output().batchNormStatistics()
                .stream().filter(s -> s.prefix().equals(FIRST)).findFirst().orElseThrow();
        double unbias = (double) one.count() / (one.count() - 1);
        float[] mean = m.buffers().get(FIRST + ".running_mean").data().asFloat();
        float[] var = m.buffers().get(FIRST + ".running_var").data().asFloat();
        float[] expectedMean = one.mean().data().asFloat();
        float[] expectedVar = one.variance().data().asFloat();
        assertThat(mean).hasSize(expectedMean.length);
        for (int c = 0; c < mean.length; c++) {
            assertThat((double) mean[c]).as("mean " + c).isCloseTo(expectedMean[c], within(1e-5 + 1e-4 * Math.abs(expectedMean[c])));
            assertThat((double) var[c]).as("var " + c).isCloseTo(expectedVar[c] * unbias, within(1e-5 + 1e-4 * expectedVar[c]));
        }
    }

    @Test
    void theStatisticsBeforeDoNotMatterAndEveryLayerIsRewritten() {
        TrainingSource source = LiteMedSamModelTest.data(6, 1);
        LiteMedSam m = LiteMedSam.create(LiteMedSamModelTest.tiny(), 3L);
        LiteMedSamModel model = new LiteMedSamModel(m, false);
        Map<String, float[]> fresh = runningStatistics(m);
        BatchNormCalibration calibration = new BatchNormCalibration(source, 4, 2, 1);
        calibration.run(model);
        Map<String, float[]> first = runningStatistics(m);
        for (String k : fresh.keySet()) {
            assertThat(first.get(k)).as(k).isNotEqualTo(fresh.get(k));
        }
        m.buffers().forEach((k, v) -> {
            if (k.endsWith(".running_mean") || k.endsWith(".running_var")) {
                v.assign(7);
            }
        });
        calibration.run(model);
        Map<String, float[]> again = runningStatistics(m);
        for (String k : first.keySet()) {
            assertThat(again.get(k)).as(k).isEqualTo(first.get(k));
        }
    }

    @Test
    void aFrozenEncoderHasNothingToRecalibrate() {
        LiteMedSam m = LiteMedSam.create(LiteMedSamModelTest.tiny(), 3L);
        Map<String, float[]> before = runningStatistics(m);
        BatchNormCalibration.Result r = new BatchNormCalibration(LiteMedSamModelTest.data(4, 1), 4, 2, 1)
                .run(new LiteMedSamModel(m, true));
        assertThat(r.layers()).isZero();
        Map<String, float[]> after = runningStatistics(m);
        for (String k : before.keySet()) {
            assertThat(after.get(k)).as(k).isEqualTo(before.get(k));
        }
        assertThatThrownBy(() -> new BatchNormCalibration(LiteMedSamModelTest.data(4, 1), 0, 2, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainConfig.defaults().with(Map.of("trainable", "MASK_DECODER_AND_SIGMAS",
                "batchNormCalibrationImages", 8))).hasMessageContaining("trainable ALL");
        assertThatThrownBy(() -> TrainConfig.defaults().with(Map.of("batchNormCalibrationImages", -1)))
                .hasMessageContaining(">= 0");
    }

    @Test
    void theTrainerRecalibratesAtEpochEndsAndResumesBitForBit(@TempDir Path runs) throws Exception {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "calibrated", "epochs", 2, "batchSize", 2,
                "learningRate", 2e-3, "sam", false, "seed", 7, "trainable", "ALL", "batchNormCalibrationImages", 4,
                "checkpointEverySteps", 2));
        LiteMedSam straight = LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L);
        Trainer.start(c, new LiteMedSamModel(straight, false), LiteMedSamModelTest.data(6, 1),
                LiteMedSamModelTest.data(2, 2), runs.resolve("a"), Trainer.Options.quiet());
        Map<String, float[]> trained = runningStatistics(straight);
        // the statistics the run ends with are a calibration of its final weights, not a moving average
        new BatchNormCalibration(LiteMedSamModelTest.data(6, 1), 4, BatchNormCalibration.DEFAULT_BATCH_IMAGES, 1)
                .run(new LiteMedSamModel(straight, false));
        Map<String, float[]> recalibrated = runningStatistics(straight);
        for (String k : trained.keySet()) {
            assertThat(recalibrated.get(k)).as(k).isEqualTo(trained.get(k));
        }

        // interrupted in the second epoch after a mid-epoch checkpoint (whose statistics the steps since the first
        // calibration moved), resumed there: the epoch's end recalibrates to the same bits
        Path b = runs.resolve("b");
        assertThatThrownBy(() -> Trainer.start(c, new LiteMedSamModel(LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L),
                false), LiteMedSamModelTest.data(6, 1), LiteMedSamModelTest.data(2, 2), b,
                Trainer.Options.quiet().interruptingAfter(5))).isInstanceOf(TrainingInterruptedException.class);
        LiteMedSam resumed = LiteMedSam.create(LiteMedSamModelTest.tiny(), 99L);
        Trainer.resume(b.resolve("calibrated"), new LiteMedSamModel(resumed, false), LiteMedSamModelTest.data(6, 1),
                LiteMedSamModelTest.data(2, 2), Trainer.Options.quiet());
        for (Map.Entry<String, INDArray> e : straight.stateDict().entrySet()) {
            assertThat(resumed.stateDict().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void withoutValidationOnlyTheRunsEndIsRecalibrated(@TempDir Path runs) throws Exception {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "end", "epochs", 2, "batchSize", 2,
                "learningRate", 2e-3, "sam", false, "seed", 7, "trainable", "ALL", "batchNormCalibrationImages", 4,
                "validationFraction", 0.0));
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        LiteMedSam m = LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L);
        Trainer.start(c, new LiteMedSamModel(m, false), LiteMedSamModelTest.data(6, 1), null, runs,
                new Trainer.Options(false, 0, new java.io.PrintStream(log, true)));
        assertThat(log.toString()).containsOnlyOnce("BatchNorm statistics").contains("epoch 1: BatchNorm statistics");
        Map<String, float[]> trained = runningStatistics(m);
        new BatchNormCalibration(LiteMedSamModelTest.data(6, 1), 4, BatchNormCalibration.DEFAULT_BATCH_IMAGES, 1)
                .run(new LiteMedSamModel(m, false));
        for (Map.Entry<String, float[]> e : runningStatistics(m).entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(trained.get(e.getKey()));
        }
    }
}

package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.Table;

class TrainerTest {
    @TempDir
    Path runs;

    /** Training items shuffled with the configs' seed 7; validation items (base 2) in fixed order. */
    static TrainingSource train(int n, long base) {
        return base == 2 ? ShuffledSource.validation(new SyntheticSquares(n, 16, base), 7)
                : ShuffledSource.training(new SyntheticSquares(n, 16, base), 7);
    }

    static TrainConfig tiny(boolean sam) {
        return TrainConfig.defaults().with(Map.of("name", sam ? "full" : "no-sam", "epochs", 6, "batchSize", 2,
                "learningRate", 0.05, "sam", sam, "checkpointEverySteps", 2, "gcEverySteps", 0, "seed", 7));
    }

    @Test
    void trainingLowersTheLossMovesTheSigmasAndWritesTheRunFolder() throws Exception {
        TrainConfig c = tiny(true);
        Trainer.Result r = Trainer.start(c, new TinyPixelModel(1), train(6, 1),
                train(2, 2), runs, Trainer.Options.quiet());
        Path dir = runs.resolve("full");
        assertThat(r.runDir()).isEqualTo(dir);
        assertThat(r.steps()).isEqualTo(18);
        assertThat(r.lastEpochLoss()).isLessThan(r.firstEpochLoss());
        for (double s : r.logSigmas()) {
            assertThat(s).isNotEqualTo(0.0);
        }
        for (String f : List.of("config.json", "run.json", "steps.csv", "epochs.csv", "checkpoint/last.ckpt",
                "checkpoint/best.ckpt")) {
            assertThat(dir.resolve(f)).as(f).isRegularFile();
        }
        Table steps = Table.read().csv(dir.resolve("steps.csv").toFile());
        assertThat(steps.columnNames()).containsExactly("step", "epoch", "lr", "grad_norm", "loss_total", "loss_dice",
                "loss_bce", "loss_iou", "loss_sd", "sigma_dice", "sigma_bce", "sigma_iou", "sigma_sd", "seconds");
        assertThat(steps.rowCount()).isEqualTo(18);
        Table epochs = Table.read().csv(dir.resolve("epochs.csv").toFile());
        assertThat(epochs.columnNames()).containsExactly("epoch", "train_loss", "val_loss", "val_dsc", "lr", "seconds");
        assertThat(epochs.rowCount()).isEqualTo(6);
        assertThat(epochs.doubleColumn("val_dsc").get(5)).isBetween(0.0, 1.0);
        assertThat(Files.readString(dir.resolve("run.json"))).contains("\"seed\": 7").contains("nd4j_version");
        assertThat(TrainConfig.read(dir.resolve("config.json"))).isEqualTo(c);
        Checkpoint last = Checkpoint.read(dir.resolve("checkpoint/last.ckpt"));
        assertThat(last.meta().step()).isEqualTo(18);
        assertThat(last.meta().epoch()).isEqualTo(6);
    }

    @Test
    void theSigmasMoveAtTheirOwnRateNotTheNetworks() throws Exception {
        // network rate 1e-6: at that rate the sigmas would move by ~1e-5 in 6 steps
        TrainConfig c = tiny(false).with(Map.of("epochs", 2, "learningRate", 1e-6, "sigmaLearningRate", 0.05,
                "checkpointEverySteps", 0));
        Trainer.Result r = Trainer.start(c, new TinyPixelModel(1), train(6, 1), null, runs, Trainer.Options.quiet());
        assertThat(r.steps()).isEqualTo(6);
        TrainConfig same = c.with(Map.of("name", "same-rate", "sigmaLearningRate", 1e-6));
        Trainer.Result slow = Trainer.start(same, new TinyPixelModel(1), train(6, 1), null, runs, Trainer.Options.quiet());
        double largest = 0;
        for (int m = 0; m < r.logSigmas().length; m++) {
            // Adam moves a parameter by at most about its rate per step
            assertThat(Math.abs(r.logSigmas()[m])).isLessThan(6 * 0.05 * 1.01);
            assertThat(Math.abs(slow.logSigmas()[m])).isLessThan(6 * 1e-6 * 1.01);
            assertThat(Math.abs(r.logSigmas()[m])).isGreaterThan(1000 * Math.abs(slow.logSigmas()[m]));
            largest = Math.max(largest, Math.abs(r.logSigmas()[m]));
        }
        assertThat(largest).isGreaterThan(0.1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void resumeReproducesTheUninterruptedRunBitForBit(boolean sam) throws Exception {
        TrainConfig c = tiny(sam).with(Map.of("epochs", 3));
        Path a = runs.resolve("a");
        Path b = runs.resolve("b");
        TinyPixelModel straight = new TinyPixelModel(3);
        Trainer.start(c, straight, train(6, 1), train(2, 2), a,
                Trainer.Options.quiet());

        // stopped after step 5: the last checkpoint is from step 4, so step 5 is done again on resume
        assertThatThrownBy(() -> Trainer.start(c, new TinyPixelModel(3), train(6, 1),
                train(2, 2), b, Trainer.Options.quiet().interruptingAfter(5)))
                .isInstanceOf(TrainingInterruptedException.class);
        Path runB = b.resolve(c.name());
        assertThat(Checkpoint.read(runB.resolve("checkpoint/last.ckpt")).meta().step()).isEqualTo(4);
        TinyPixelModel resumed = new TinyPixelModel(99); // different init: everything must come from the checkpoint
        Trainer.Result r = Trainer.resume(runB, resumed, train(6, 1), train(2, 2),
                Trainer.Options.quiet());
        assertThat(r.steps()).isEqualTo(9);

        for (Map.Entry<String, INDArray> e : straight.parameters().entrySet()) {
            assertThat(resumed.parameters().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        for (Map.Entry<String, INDArray> e : straight.buffers().entrySet()) {
            assertThat(resumed.buffers().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        Checkpoint ca = Checkpoint.read(a.resolve(c.name()).resolve("checkpoint/last.ckpt"));
        Checkpoint cb = Checkpoint.read(runB.resolve("checkpoint/last.ckpt"));
        assertThat(cb.logSigmas()).containsExactly(ca.logSigmas());
        assertThat(cb.optimizer().keySet()).isEqualTo(ca.optimizer().keySet());
        ca.optimizer().forEach((k, v) -> assertThat(cb.optimizer().get(k)).as(k).isEqualTo(v));
        assertThat(cb.meta().scheduler()).isEqualTo(ca.meta().scheduler());

        Table sa = Table.read().csv(a.resolve(c.name()).resolve("steps.csv").toFile()).removeColumns("seconds");
        Table sb = Table.read().csv(runB.resolve("steps.csv").toFile()).removeColumns("seconds");
        assertThat(sb.rowCount()).isEqualTo(9);
        assertThat(sb.toString()).isEqualTo(sa.toString());
        assertThat(Files.readString(runB.resolve("run.json"))).contains("from_step");
    }

    /** {@code source}, interrupting the calling thread when it hands out item {@code position} of epoch 0. */
    private static TrainingSource interruptingAt(TrainingSource source, int position) {
        return new TrainingSource() {
            @Override
            public int epochSize(int epoch) {
                return source.epochSize(epoch);
            }

            @Override
            public TrainingExample example(int epoch, int p) {
                if (epoch == 0 && p == position) {
                    Thread.currentThread().interrupt();
                }
                return source.example(epoch, p);
            }
        };
    }

    /**
     * The notebook's interrupt on JDK 20+ only interrupts the cell's thread: the run stops after the step during
     * which that happened, with a checkpoint of it (no periodic ones here), and resume gives the uninterrupted run.
     */
    @Test
    void anInterruptedThreadStopsAfterItsStepWithACheckpointThatResumeContinues() throws Exception {
        TrainConfig c = tiny(false).with(Map.of("epochs", 3, "checkpointEverySteps", 0));
        TinyPixelModel straight = new TinyPixelModel(3);
        Trainer.start(c, straight, train(6, 1), train(2, 2), runs.resolve("a"), Trainer.Options.quiet());

        Path b = runs.resolve("b");
        // batches of 2: item 2 of epoch 0 is read in step 2, the middle of the epoch
        assertThatThrownBy(() -> Trainer.start(c, new TinyPixelModel(3), interruptingAt(train(6, 1), 2), train(2, 2),
                b, Trainer.Options.quiet()))
                .isInstanceOf(TrainingInterruptedException.class).hasMessageContaining("after step 2");
        assertThat(Thread.interrupted()).as("the interrupt is left for the caller").isTrue();
        Path runB = b.resolve(c.name());
        assertThat(Checkpoint.read(runB.resolve("checkpoint/last.ckpt")).meta().step()).isEqualTo(2);
        assertThat(Table.read().csv(runB.resolve("steps.csv").toFile()).rowCount()).isEqualTo(2);

        TinyPixelModel resumed = new TinyPixelModel(99);
        Trainer.Result r = Trainer.resume(runB, resumed, train(6, 1), train(2, 2), Trainer.Options.quiet());
        assertThat(r.steps()).isEqualTo(9);
        for (Map.Entry<String, INDArray> e : straight.parameters().entrySet()) {
            assertThat(resumed.parameters().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aNonFiniteLossNamesTheStepAndTermAndKeepsTheLastGoodCheckpoint() throws Exception {
        TrainConfig c = tiny(false).with(Map.of("checkpointEverySteps", 0));
        // item 4 has a NaN pixel; epoch 0 visits it at some step; find which
        int[] order = ShuffledSource.epochOrder(c.seed(), 0, 6);
        int pos = 0;
        while (order[pos] != 4) {
            pos++;
        }
        long badStep = pos / 2 + 1;
        assertThatThrownBy(() -> Trainer.start(c, new TinyPixelModel(1),
                ShuffledSource.training(new SyntheticSquares(6, 16, 1, 4), 7), null, runs, Trainer.Options.quiet()))
                .isInstanceOf(NonFiniteLossException.class)
                .hasMessageContaining("step " + badStep)
                .hasMessageContaining("dice = NaN");
        // no epoch finished, so no checkpoint was written, and none is half-written either
        assertThat(runs.resolve("no-sam/checkpoint/last.ckpt")).doesNotExist();
        try (var s = Files.list(runs.resolve("no-sam/checkpoint"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aNonFiniteLossInALaterEpochKeepsTheEarlierCheckpoint() throws Exception {
        TrainConfig c = tiny(false).with(Map.of("checkpointEverySteps", 0));
        // NaN only from epoch 1 on: a source that poisons item 0 when the seed is of epoch >= 1
        SyntheticSquares clean = new SyntheticSquares(6, 16, 1);
        long epoch0Seed = org.umedsam.data.Seeds.mix(c.seed(), 0, 0);
        IndexedExamples poisonedItems = new IndexedExamples() {
            @Override
            public int size() {
                return 6;
            }

            @Override
            public TrainingExample example(int index, long seed) {
                TrainingExample e = clean.example(index, seed);
                if (index == 0 && seed != epoch0Seed) {
                    e.image()[5] = Float.POSITIVE_INFINITY;
                }
                return e;
            }
        };
        TrainingSource poisoned = ShuffledSource.training(poisonedItems, c.seed());
        assertThatThrownBy(() -> Trainer.start(c, new TinyPixelModel(1), poisoned, null, runs, Trainer.Options.quiet()))
                .isInstanceOf(NonFiniteLossException.class).hasMessageContaining("epoch 1");
        Checkpoint last = Checkpoint.read(runs.resolve("no-sam/checkpoint/last.ckpt"));
        assertThat(last.meta().step()).isEqualTo(3);
        for (INDArray p : last.parameters().values()) {
            assertThat(p.isNaN().any() || p.isInfinite().any()).isFalse();
        }
    }

    @Test
    void anExistingRunFolderIsNeverOverwritten() throws Exception {
        TrainConfig c = tiny(false).with(Map.of("epochs", 1));
        Files.createDirectories(runs.resolve("no-sam"));
        Files.writeString(runs.resolve("no-sam/keep.txt"), "mine");
        Trainer.Result r = Trainer.start(c, new TinyPixelModel(1), train(4, 1), null, runs,
                Trainer.Options.quiet());
        assertThat(r.runDir()).isEqualTo(runs.resolve("no-sam-2"));
        assertThat(Files.readString(runs.resolve("no-sam/keep.txt"))).isEqualTo("mine");
    }

    @Test
    void frozenGroupsDoNotMove() throws Exception {
        TrainConfig c = tiny(false).with(Map.of("epochs", 1, "trainable", "MASK_DECODER_AND_SIGMAS"));
        TinyPixelModel m = new TinyPixelModel(1);
        INDArray before = m.parameters().get("image_encoder.w").dup();
        Trainer.start(c, m, train(4, 1), null, runs, Trainer.Options.quiet());
        assertThat(m.parameters().get("image_encoder.w")).isEqualTo(before);
        assertThat(m.parameters().get("mask_decoder.v").getDouble(0)).isNotEqualTo(0.0);
    }

    @Test
    void resumeRemovesTemporariesLeftByAnInterruptedWrite() throws Exception {
        TrainConfig c = tiny(false).with(Map.of("epochs", 2));
        assertThatThrownBy(() -> Trainer.start(c, new TinyPixelModel(3), train(6, 1), train(2, 2), runs,
                Trainer.Options.quiet().interruptingAfter(2))).isInstanceOf(TrainingInterruptedException.class);
        Path run = runs.resolve(c.name());
        Path stale1 = Files.writeString(run.resolve("checkpoint").resolve(".last.ckpt8123.tmp"), "half a checkpoint");
        Path stale2 = Files.writeString(run.resolve("checkpoint").resolve(".best.ckpt77.tmp"), "half a checkpoint");
        Path stale3 = Files.writeString(run.resolve(".run.json5.tmp"), "{");
        Trainer.resume(run, new TinyPixelModel(3), train(6, 1), train(2, 2), Trainer.Options.quiet());
        assertThat(stale1).doesNotExist();
        assertThat(stale2).doesNotExist();
        assertThat(stale3).doesNotExist();
        assertThat(run.resolve("checkpoint/best.ckpt")).isRegularFile();
    }

    @Test
    void bestIsWrittenBeforeLastSoLastNeverRecordsABestThatIsMissing() throws Exception {
        // 3 steps per epoch, checkpoints every 2 steps: interrupted after step 2, nothing is best yet
        TrainConfig c = tiny(false).with(Map.of("epochs", 2));
        assertThatThrownBy(() -> Trainer.start(c, new TinyPixelModel(3), train(6, 1), train(2, 2), runs,
                Trainer.Options.quiet().interruptingAfter(2))).isInstanceOf(TrainingInterruptedException.class);
        Path run = runs.resolve(c.name());
        Path last = run.resolve("checkpoint/last.ckpt");
        assertThat(Checkpoint.read(last).meta().step()).isEqualTo(2);
        // the end of epoch 1 saves a best; make writing best.ckpt fail as a crash at that moment would
        Path best = run.resolve("checkpoint/best.ckpt");
        Files.createDirectories(best);
        Files.writeString(best.resolve("occupied"), "x");
        assertThatThrownBy(() -> Trainer.resume(run, new TinyPixelModel(3), train(6, 1), train(2, 2),
                Trainer.Options.quiet())).isInstanceOf(java.io.IOException.class);
        // last.ckpt still is the step-2 checkpoint: it never claims a best that best.ckpt does not hold
        Checkpoint after = Checkpoint.read(last);
        assertThat(after.meta().step()).isEqualTo(2);
        assertThat(after.meta().bestScore()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void skippedCasesAreCountedInRunJson() throws Exception {
        TrainingSource base = train(6, 1);
        TrainingSource withSkips = new TrainingSource() {
            @Override
            public int epochSize(int epoch) {
                return base.epochSize(epoch);
            }

            @Override
            public TrainingExample example(int epoch, int position) {
                return base.example(epoch, position);
            }

            @Override
            public List<String> skippedCases() {
                return List.of("data/train/2DBox_US_0002.npz: truncated .npy");
            }
        };
        Trainer.Result r = Trainer.start(tiny(false).with(Map.of("epochs", 1)), new TinyPixelModel(3), withSkips,
                null, runs, Trainer.Options.quiet());
        String json = Files.readString(r.runDir().resolve("run.json"));
        assertThat(json).contains("\"skipped_cases\": 1").contains("2DBox_US_0002.npz: truncated .npy")
                .contains("\"validation_samples\": 0");
    }

    /** run.json says how many samples each epoch's validation values average over (the epoch figures print it). */
    @Test
    void validationSampleCountIsRecordedInRunJson() throws Exception {
        Trainer.Result r = Trainer.start(tiny(false).with(Map.of("epochs", 1)), new TinyPixelModel(3), train(6, 1),
                train(3, 2), runs, Trainer.Options.quiet());
        assertThat(Files.readString(r.runDir().resolve("run.json"))).contains("\"validation_samples\": 3");
    }
}

package org.umedsam.train;

import org.umedsam.BenchmarkSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Seconds per training step at batch 2 (256x256) for a model preset, with and without SAM, and the
 * process' peak resident memory. Run one preset per JVM so that VmHWM belongs to it:
 * {@code mvn -B -q -o -pl umedsam-lib test -Dtest=TrainStepBenchmark -Dgroups=benchmark -DexcludedGroups=none
 * -Dbench.preset=small -Dbench.steps=5 [-Dbench.sam=on|off|both] [-Dbench.trainable=MASK_DECODER_AND_SIGMAS]
 * [-Dbench.gcEverySteps=N]}. Loss: Dice + BCE + IoU + SD, uncertainty-weighted, AdamW,
 * all parameters trained.
 */
@Tag("benchmark")
class TrainStepBenchmark {
    @TempDir
    Path runs;

    @Test
    void secondsPerStep() throws Exception {
        String preset = System.getProperty("bench.preset", "small");
        int steps = Integer.getInteger("bench.steps", 5);
        String group = System.getProperty("bench.trainable", "ALL");
        String which = System.getProperty("bench.sam", "both");
        int gcEvery = Integer.getInteger("bench.gcEverySteps", TrainConfig.defaults().gcEverySteps());
        boolean[] modes = switch (which) {
            case "on" -> new boolean[] {true};
            case "off" -> new boolean[] {false};
            default -> new boolean[] {false, true};
        };
        for (boolean sam : modes) {
            TrainConfig c = TrainConfig.defaults().with(Map.of("name", sam ? "sam" : "adamw", "modelPreset", preset,
                    "epochs", 1, "maxSteps", steps + 1, "sam", sam, "validationFraction", 0.0, "trainable", group,
                    "gcEverySteps", gcEvery));
            LiteMedSamModel model = new LiteMedSamModel(LiteMedSamModel.create(preset, 1),
                    "MASK_DECODER_AND_SIGMAS".equals(group));
            TrainingSource data = ShuffledSource.training(new SyntheticSquares(2 * (steps + 1), 256, 1), 1);
            long t0 = System.nanoTime();
            Trainer.start(c, model, data, null, runs, Trainer.Options.quiet());
            double wall = (System.nanoTime() - t0) / 1e9;
            Table t = Table.read().csv(runs.resolve(c.name()).resolve("steps.csv").toFile());
            double[] s = t.doubleColumn("seconds").asDoubleArray();
            double sum = 0;
            for (int i = 1; i < s.length; i++) {
                sum += s[i];
            }
            System.out.printf("BENCH preset=%s trainable=%s sam=%s gcEverySteps=%d batch=2: first step %.2f s, then %.2f s/step over %d"
                    + " steps (wall %.1f s incl. graph build and checkpoint); VmHWM %s; OMP_NUM_THREADS=%s%n",
                    preset, group, sam, gcEvery, s[0], sum / (s.length - 1), s.length - 1, wall, BenchmarkSupport.procStatus("VmHWM"),
                    System.getenv("OMP_NUM_THREADS"));
        }
    }
}

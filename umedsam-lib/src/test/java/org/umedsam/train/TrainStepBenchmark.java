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
 * [-Dbench.gcEverySteps=N] [-Dbench.warmup=3]}: {@code bench.warmup} steps, the first included, run before the
 * {@code bench.steps} counted ones ({@link BenchmarkSupport#trainingWarmupSteps}). Loss: Dice + BCE + IoU + SD, uncertainty-weighted, AdamW,
 * all parameters trained. VmHWM is reset before each mode (Linux {@code /proc/self/clear_refs}), so each line's
 * peak is that mode's; CPU seconds per step (the counted steps' share of the run's process CPU time) and the
 * SAM/plain ratios are printed too, as they are less sensitive to a busy machine than wall time. The figures of
 * issue 14: {@code OMP_WAIT_POLICY=PASSIVE mvn -B -q -o -pl umedsam-lib test -Dtest=TrainStepBenchmark
 * -Dgroups=benchmark -DexcludedGroups=none -Dbench.preset=litemedsam -Dbench.steps=3 -Dbench.sam=both}
 * (targets: peak RSS at most 4 GB, SAM at most 2.1x plain); {@link TorchTrainStepBenchmark} adds PyTorch's step.
 *
 * <p>Peak RSS follows the JVM's heap sizing as much as the tape: G1 grows the heap to about 1.7x the live set while
 * the first step fills the tape arena, whatever the maximum allows. Give the JVM the heap a user's training JVM
 * has, e.g. {@code -Dsurefire.argLine=-Xmx3200m} (the root pom's default is {@code -Xmx6g}), and read the
 * figure with that setting named; about 0.75 GB of the RSS is outside the heap (ND4J's native buffers, AdamW's
 * moments, the JVM).
 */
@Tag("benchmark")
class TrainStepBenchmark {
    @TempDir
    Path runs;

    @Test
    void secondsPerStep() throws Exception {
        String preset = System.getProperty("bench.preset", "small");
        int steps = Integer.getInteger("bench.steps", 5);
        int warmup = BenchmarkSupport.trainingWarmupSteps();
        String group = System.getProperty("bench.trainable", "ALL");
        String which = System.getProperty("bench.sam", "both");
        int gcEvery = Integer.getInteger("bench.gcEverySteps", TrainConfig.defaults().gcEverySteps());
        boolean[] modes = switch (which) {
            case "on" -> new boolean[] {true};
            case "off" -> new boolean[] {false};
            default -> new boolean[] {false, true};
        };
        double[] secondsPerStep = new double[2];
        double[] cpuPerStep = new double[2];
        for (boolean sam : modes) {
            TrainConfig c = TrainConfig.defaults().with(Map.of("name", sam ? "sam" : "adamw", "modelPreset", preset,
                    "epochs", 1, "maxSteps", steps + warmup, "sam", sam, "validationFraction", 0.0, "trainable", group,
                    "gcEverySteps", gcEvery));
            LiteMedSamModel model = new LiteMedSamModel(LiteMedSamModel.create(preset, 1),
                    "MASK_DECODER_AND_SIGMAS".equals(group));
            TrainingSource data = ShuffledSource.training(new SyntheticSquares(2 * (steps + warmup), 256, 1), 1);
            System.gc(); // the previous mode's garbage must not count towards this one's peak
            TorchTrainStepBenchmark.resetPeakRss();
            long cpu0 = BenchmarkSupport.processCpuNanos();
            long heap0 = BenchmarkSupport.allocatedBytes();
            long t0 = System.nanoTime();
            Trainer.start(c, model, data, null, runs, Trainer.Options.quiet());
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (BenchmarkSupport.processCpuNanos() - cpu0) / 1e9;
            double heapPerStep = (BenchmarkSupport.allocatedBytes() - heap0) / 1e6 / (steps + warmup);
            Table t = Table.read().csv(runs.resolve(c.name()).resolve("steps.csv").toFile());
            double[] s = t.doubleColumn("seconds").asDoubleArray();
            int k = sam ? 1 : 0;
            secondsPerStep[k] = BenchmarkSupport.countedMean(s, warmup);
            // a counted step's share of the run's CPU time, by wall time
            cpuPerStep[k] = cpu * secondsPerStep[k] / wall;
            System.out.printf("BENCH preset=%s trainable=%s sam=%s gcEverySteps=%d batch=2: first step %.2f s, then after %d warm-up"
                    + " steps %.2f s/step over %d steps (cpu %.2f s/step; wall %.1f s incl. graph build and checkpoint); VmHWM %s; load %s;"
                    + " OMP_NUM_THREADS=%s; each step: %s; heap allocated per step, all Java threads: %.0f MB%n",
                    preset, group, sam, gcEvery, s[0], warmup, secondsPerStep[k], s.length - warmup, cpuPerStep[k], wall,
                    BenchmarkSupport.procStatus("VmHWM"), BenchmarkSupport.loadAverage(), System.getenv("OMP_NUM_THREADS"),
                    BenchmarkSupport.eachStep(s), heapPerStep);
        }
        if (modes.length == 2) {
            System.out.printf("BENCH preset=%s SAM/plain: %.2fx wall, %.2fx cpu (target at most 2.1x)%n", preset,
                    secondsPerStep[1] / secondsPerStep[0], cpuPerStep[1] / cpuPerStep[0]);
        }
    }
}

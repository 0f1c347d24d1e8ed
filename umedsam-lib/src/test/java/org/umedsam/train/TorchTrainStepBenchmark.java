package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.BenchmarkSupport;
import tech.tablesaw.api.Table;

/**
 * This project's LiteMedSAM training step beside PyTorch's equivalent, measured in the same run: batch 2 at
 * 256 x 256, every parameter trained, AdamW alone ("plain") and under SAM, the Java steps and a PyTorch
 * subprocess ({@code src/test/resources/torch/litemedsam_train_step.py}, the same architecture and loss terms,
 * {@code torch.set_num_threads(2)}) interleaved mode by mode, so both see the same machine load. Prints per
 * mode the seconds per step (mean after {@code bench.warmup} uncounted steps on each side, {@link
 * BenchmarkSupport#trainingWarmupSteps}), CPU seconds per step, the peak resident memory of each
 * process (Java's VmHWM is reset before each mode), and the ratios Java/PyTorch and SAM/plain; then the same ratio
 * from each side's last two counted steps, flagging a side still speeding up (its last two more than 10 % under
 * its mean: Debian's PyTorch took 7.65 to 9.01 s in its last three plain steps of a run whose counted mean was
 * 9.67 s, so three warm-up steps flattered this toolkit; {@code run-benchmarks} runs six). Skipped when no
 * {@code python3} (or {@code /usr/bin/python3}, or {@code -Dbench.python=...}) imports torch.
 *
 * <p>{@code OMP_WAIT_POLICY=PASSIVE mvn -B -q -o -pl umedsam-lib test -Dtest=TorchTrainStepBenchmark
 * -Dgroups=benchmark -DexcludedGroups=none -Dbench.preset=litemedsam -Dbench.steps=3 [-Dbench.rounds=1] [-Dbench.warmup=3]}
 * (the targets: plain step at most 0.6x PyTorch's, SAM step at most 0.6x PyTorch's SAM step and
 * 2.1x the plain step, peak RSS at most 4 GB). The PyTorch line names the BLAS library torch mapped: Debian's
 * torch runs on whichever {@code libblas.so.3} is selected, the reference BLAS unless OpenBLAS is installed. PyTorch
 * runs on jemalloc when Debian's {@code libjemalloc2} is installed ({@link #torchAllocator};
 * {@code -Dbench.torchMalloc=glibc} for the system allocator); the line names the allocator it ran on.
 */
@Tag("benchmark")
class TorchTrainStepBenchmark {
    private static final String SCRIPT = "/torch/litemedsam_train_step.py";

    @TempDir
    Path dir;

    /**
     * One mode's figures on one side.
     *
     * @param lastTwo the mean of the last two counted steps: near {@code secondsPerStep} once the side has settled
     */
    record Figures(double secondsPerStep, double cpuSecondsPerStep, double peakRssGb, double lastTwo) {
    }

    @Test
    void javaBesidePyTorch() throws Exception {
        String python = pythonWithTorch();
        Assumptions.assumeTrue(python != null, "no python3 that imports torch");
        String preset = System.getProperty("bench.preset", "litemedsam");
        int steps = Integer.getInteger("bench.steps", 3);
        int rounds = Integer.getInteger("bench.rounds", 1);
        int warmup = BenchmarkSupport.trainingWarmupSteps();
        Path script = dir.resolve("litemedsam_train_step.py");
        try (InputStream in = TorchTrainStepBenchmark.class.getResourceAsStream(SCRIPT)) {
            assertThat(in).as(SCRIPT).isNotNull();
            Files.copy(in, script);
        }
        System.out.printf("BENCH-TORCH preset=%s batch=2 steps=%d after %d warm-up rounds=%d python=%s; load average at start"
                + " %s%n", preset, steps, warmup, rounds, python, BenchmarkSupport.loadAverage());
        Map<String, List<Figures>> java = new LinkedHashMap<>();
        Map<String, List<Figures>> torch = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String mode : List.of("plain", "sam")) {
                Figures j = javaSteps(preset, steps, warmup, mode.equals("sam"), "r" + r + mode);
                Figures t = torchSteps(python, script, preset, steps, warmup, mode);
                java.computeIfAbsent(mode, k -> new ArrayList<>()).add(j);
                torch.computeIfAbsent(mode, k -> new ArrayList<>()).add(t);
                System.out.printf("BENCH-TORCH round %d %s: java %.2f s/step (cpu %.2f s, peak RSS %.2f GB); pytorch %.2f"
                                + " s/step (cpu %.2f s, peak RSS %.2f GB); java/pytorch %.2f; load %s%n", r, mode,
                        j.secondsPerStep(), j.cpuSecondsPerStep(), j.peakRssGb(), t.secondsPerStep(),
                        t.cpuSecondsPerStep(), t.peakRssGb(), j.secondsPerStep() / t.secondsPerStep(),
                        BenchmarkSupport.loadAverage());
                System.out.printf("BENCH-TORCH round %d %s: the last two counted steps: java %.2f s, pytorch %.2f s (ratio"
                                + " %.2f)%s%n", r, mode, j.lastTwo(), t.lastTwo(), j.lastTwo() / t.lastTwo(),
                        settling(j, t));
            }
        }
        Figures jp = mean(java.get("plain"));
        Figures js = mean(java.get("sam"));
        Figures tp = mean(torch.get("plain"));
        Figures ts = mean(torch.get("sam"));
        System.out.printf("BENCH-TORCH summary %s: plain java %.2f s vs pytorch %.2f s (ratio %.2f, cpu ratio %.2f); SAM java"
                        + " %.2f s vs pytorch %.2f s (ratio %.2f, cpu ratio %.2f); SAM/plain java %.2f (cpu %.2f), pytorch"
                        + " %.2f (cpu %.2f); peak RSS java plain %.2f GB, sam %.2f GB, pytorch plain %.2f GB, sam %.2f GB;"
                        + " load average at end %s%n", preset,
                jp.secondsPerStep(), tp.secondsPerStep(), jp.secondsPerStep() / tp.secondsPerStep(),
                jp.cpuSecondsPerStep() / tp.cpuSecondsPerStep(),
                js.secondsPerStep(), ts.secondsPerStep(), js.secondsPerStep() / ts.secondsPerStep(),
                js.cpuSecondsPerStep() / ts.cpuSecondsPerStep(),
                js.secondsPerStep() / jp.secondsPerStep(), js.cpuSecondsPerStep() / jp.cpuSecondsPerStep(),
                ts.secondsPerStep() / tp.secondsPerStep(), ts.cpuSecondsPerStep() / tp.cpuSecondsPerStep(),
                jp.peakRssGb(), js.peakRssGb(), tp.peakRssGb(), ts.peakRssGb(), BenchmarkSupport.loadAverage());
        System.out.printf("BENCH-TORCH summary %s, the last two counted steps: plain java %.2f s vs pytorch %.2f s (ratio"
                        + " %.2f)%s; SAM java %.2f s vs pytorch %.2f s (ratio %.2f)%s%n", preset, jp.lastTwo(),
                tp.lastTwo(), jp.lastTwo() / tp.lastTwo(), settling(jp, tp), js.lastTwo(), ts.lastTwo(),
                js.lastTwo() / ts.lastTwo(), settling(js, ts));
    }

    /** {@code warmup + steps} trainer steps (the warm-up ones not counted), VmHWM reset first. */
    private Figures javaSteps(String preset, int steps, int warmup, boolean sam, String name) throws IOException {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", name, "modelPreset", preset, "epochs", 1,
                "maxSteps", steps + warmup, "sam", sam, "validationFraction", 0.0, "trainable", "ALL"));
        LiteMedSamModel model = new LiteMedSamModel(LiteMedSamModel.create(preset, 1), false);
        TrainingSource data = ShuffledSource.training(new SyntheticSquares(2 * (steps + warmup), 256, 1), 1);
        System.gc(); // the previous mode's garbage must not count towards this one's peak
        resetPeakRss();
        Path runs = dir.resolve("runs");
        long cpu0 = BenchmarkSupport.processCpuNanos();
        long heap0 = BenchmarkSupport.allocatedBytes();
        long t0 = System.nanoTime();
        Trainer.start(c, model, data, null, runs, Trainer.Options.quiet());
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (BenchmarkSupport.processCpuNanos() - cpu0) / 1e9;
        double heap = (BenchmarkSupport.allocatedBytes() - heap0) / 1e6;
        double peak = kilobytes(BenchmarkSupport.procStatus("VmHWM")) / 1048576.0;
        Table t = Table.read().csv(runs.resolve(name).resolve("steps.csv").toFile());
        double[] s = t.doubleColumn("seconds").asDoubleArray();
        double mean = BenchmarkSupport.countedMean(s, warmup);
        System.out.printf("  java steps (%s): %s; heap allocated per step, all Java threads: %.0f MB%n",
                sam ? "sam" : "plain", BenchmarkSupport.eachStep(s), heap / s.length);
        // the trainer records no CPU time per step: a counted step's share of the run's CPU time, by wall time
        return new Figures(mean, cpu * mean / wall, peak, lastTwo(s));
    }

    /** The mean of the last two values (of the only one when there is one). */
    private static double lastTwo(double[] seconds) {
        return BenchmarkSupport.countedMean(seconds, Math.max(0, seconds.length - 2));
    }

    /**
     * A warning when a side's last two counted steps ran more than 10 % faster than its counted mean: it was still
     * speeding up (PyTorch's steps fall for several steps), so the mean overstates its steady step and the ratio
     * flatters the other side. Empty otherwise.
     */
    static String settling(Figures java, Figures torch) {
        StringBuilder b = new StringBuilder();
        Figures[] sides = {java, torch};
        String[] names = {"java", "pytorch"};
        for (int i = 0; i < 2; i++) {
            if (sides[i].lastTwo() < 0.9 * sides[i].secondsPerStep()) {
                b.append(b.length() == 0 ? "; still speeding up: " : ", ").append(names[i]);
            }
        }
        return b.length() == 0 ? "" : b.append(" (raise -Dbench.warmup)").toString();
    }

    private Figures torchSteps(String python, Path script, String preset, int steps, int warmup, String mode)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--mode", mode, "--steps",
                String.valueOf(steps), "--warmup", String.valueOf(warmup),
                "--preset", preset, "--threads", "2", "--batch", "2").redirectErrorStream(true);
        pb.environment().putAll(torchAllocator(System.getProperty("bench.torchMalloc", "jemalloc"), JEMALLOC));
        Process p = pb.start();
        String summary = null;
        List<Double> stepSeconds = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("  " + line);
                if (line.startsWith("TORCH mode=")) {
                    summary = line;
                } else if (line.startsWith("TORCH step ")) {
                    stepSeconds.add(stepSeconds(line));
                }
            }
        }
        assertThat(p.waitFor(2, TimeUnit.HOURS)).isTrue();
        assertThat(p.exitValue()).as("python exit status").isZero();
        assertThat(summary).as("the script's summary line").isNotNull();
        Map<String, String> kv = new LinkedHashMap<>();
        for (String f : summary.split(" ")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                kv.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        assertThat(stepSeconds).as("the script's step lines").hasSize(steps + warmup);
        return new Figures(Double.parseDouble(kv.get("mean")), Double.parseDouble(kv.get("cpu_mean")),
                Double.parseDouble(kv.get("peak_rss_kb")) / 1048576.0,
                lastTwo(stepSeconds.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    /** Debian's {@code libjemalloc2}. */
    static final List<Path> JEMALLOC = List.of(Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
            Path.of("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"));

    /**
     * The environment that puts PyTorch on {@code choice}'s allocator: for {@code "jemalloc"} the first of
     * {@code candidates} that exists preloaded and told to keep what it frees ({@code retain:true}, no decay), for
     * {@code "glibc"} (or no jemalloc found) nothing. PyTorch's performance tuning guide recommends jemalloc or
     * tcmalloc for CPU training: PyTorch frees every large tensor at the end of its step, glibc gives such blocks
     * back to the kernel, and the next step faults them in again. On a VM where a fault is dear that dominates the
     * step (2026-12-08, a 2-core Zen 5 VM: 21.2 s a plain LiteMedSAM step at batch 2 and 2.0 million faults on glibc,
     * 7.1 s and 16 thousand faults on jemalloc), so the reference would be PyTorch's allocator, not its arithmetic.
     */
    static Map<String, String> torchAllocator(String choice, List<Path> candidates) {
        if (!choice.equals("jemalloc") && !choice.equals("glibc")) {
            throw new IllegalArgumentException("bench.torchMalloc must be jemalloc or glibc, not '" + choice + "'");
        }
        if (choice.equals("jemalloc")) {
            for (Path lib : candidates) {
                if (Files.isRegularFile(lib)) {
                    return Map.of("LD_PRELOAD", lib.toString(),
                            "MALLOC_CONF", "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1");
                }
            }
        }
        return Map.of();
    }

    /** {@code "TORCH step 3 mode=plain 11.56 s (cpu 21.09 s)"} -> 11.56. */
    static double stepSeconds(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 6 || !f[5].equals("s")) {
            throw new IllegalArgumentException("not a TORCH step line: " + line);
        }
        return Double.parseDouble(f[4]);
    }

    private static Figures mean(List<Figures> f) {
        double s = 0;
        double c = 0;
        double m = 0;
        double l = 0;
        for (Figures x : f) {
            s += x.secondsPerStep();
            c += x.cpuSecondsPerStep();
            m = Math.max(m, x.peakRssGb());
            l += x.lastTwo();
        }
        return new Figures(s / f.size(), c / f.size(), m, l / f.size());
    }

    /** The first of {@code -Dbench.python}, python3, /usr/bin/python3 that imports torch, or null. */
    private static String pythonWithTorch() {
        List<String> candidates = new ArrayList<>();
        if (System.getProperty("bench.python") != null) {
            candidates.add(System.getProperty("bench.python"));
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String py : candidates) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return py;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** Resets this process' VmHWM to its current RSS (Linux: "5" to /proc/self/clear_refs); ignored elsewhere. */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            System.out.println("BENCH note: cannot reset VmHWM (" + e.getMessage() + "); peaks are cumulative");
        }
    }

    /** {@code "7364320 kB"} -> 7364320; NaN when unreadable. */
    static double kilobytes(String procValue) {
        String[] parts = procValue.trim().split("\\s+");
        try {
            return Double.parseDouble(parts[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}

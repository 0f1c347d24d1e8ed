package org.umedsam.model.cpu;

import org.umedsam.model.PlainKernels;
import org.umedsam.model.VectorSupport;

import org.umedsam.BenchmarkSupport;
import org.umedsam.io.Allocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * Speed of the CPU encoder at batch 1 (liteMedSam and small presets): median forward seconds over 5 runs
 * after warm-up, the time of {@code ImageEncoder.of}, a per-stage breakdown, threads and peak RSS; then, when the
 * JVM has the Vector API ({@link VectorSupport}), LiteMedSAM's embedding with the plain-Java kernels against the
 * vectorised ones, interleaved ({@code -Dbench.kernelRounds}, default 15). Prints only; no timed assertions.
 */
@Tag("benchmark")
class CpuEncoderBenchmark {

    static final int RUNS = 5;
    static final String[] STAGES = {"patch embed", "stage 0 (MBConv + merge)", "stage 1 (+ merge)",
            "stage 2 (+ merge)", "stage 3", "neck"};

    @Test
    void encoderForward() throws Exception {
        System.out.printf("BENCH threads: %d processors, common pool parallelism %d (+ caller), OMP_NUM_THREADS=%s, "
                        + "load average at start: %s; %s%n", Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.commonPool().getParallelism(), System.getenv("OMP_NUM_THREADS"), BenchmarkSupport.loadAverage(),
                VectorSupport.describe());
        for (ModelConfig c : new ModelConfig[]{ModelConfig.liteMedSam(), ModelConfig.small()}) {
            run(c.equals(ModelConfig.liteMedSam()) ? "liteMedSam" : "small", c);
        }
        if (VectorSupport.enabled()) {
            compareKernels(ModelConfig.liteMedSam(), Integer.getInteger("bench.kernelRounds", 15));
        }
        System.out.printf("BENCH peak RSS (VmHWM) %s, load average at end: %s%n", "VmHWM " + BenchmarkSupport.procStatus("VmHWM"), BenchmarkSupport.loadAverage());
    }

    void run(String name, ModelConfig c) {
        LiteMedSam model = LiteMedSam.create(c, 1);
        Map<String, INDArray> state = model.stateDict();
        double[] ofTimes = new double[RUNS];
        ImageEncoder enc = null;
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            enc = ImageEncoder.of(c, state);
            ofTimes[i] = (System.nanoTime() - t0) / 1e9;
        }
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, c.imageSize(), c.imageSize());
        for (int i = 0; i < 3; i++) {
            enc.embed(image);
        }
        double[] total = new double[RUNS];
        double[][] stage = new double[STAGES.length][RUNS];
        float[] img = image.dup('c').data().asFloat();
        double[] cpu = new double[RUNS];
        double[] allocated = new double[RUNS];
        ImageEncoder encoder = enc;
        for (int r = 0; r < RUNS; r++) {
            long c0 = BenchmarkSupport.processCpuNanos();
            long t0 = System.nanoTime();
            allocated[r] = Allocation.measure(() -> encoder.embed(image), e -> {
                throw new IllegalStateException(e);
            }) / 1e6;
            total[r] = (System.nanoTime() - t0) / 1e9;
            cpu[r] = (BenchmarkSupport.processCpuNanos() - c0) / 1e9;
            long[] last = {System.nanoTime()};
            int run = r;
            enc.forward(img, (s, x, side) -> {
                long now = System.nanoTime();
                stage[s + 1][run] = (now - last[0]) / 1e9;
                last[0] = System.nanoTime();
            });
        }
        System.out.printf("BENCH %-10s ImageEncoder.of median %.1f ms; embed batch 1 median %.3f s, min %.3f s (runs %s)%n", name,
                BenchmarkSupport.median(ofTimes) * 1e3, BenchmarkSupport.median(total), Arrays.stream(total).min().orElse(0), Arrays.toString(Arrays.stream(total).map(v -> Math.round(v * 1000) / 1000.0).toArray()));
        System.out.printf("BENCH %-10s process CPU time per embed median %.3f s (all threads; under contention wall time "
                + "exceeds CPU time / 2)%n", name, BenchmarkSupport.median(cpu));
        // tens of MB more than the input's copy means a Vector API kernel runs boxed (docs/speed-history.md)
        System.out.printf("BENCH %-10s heap allocated by the calling thread per embed median %.1f MB (the input's copy "
                + "%.1f MB)%n", name, BenchmarkSupport.median(allocated), 3.0 * c.imageSize() * c.imageSize() * 4 / 1e6);
        for (int s = 0; s < STAGES.length; s++) {
            System.out.printf("BENCH %-10s   %-26s median %.3f s, min %.3f s%n", name, STAGES[s], BenchmarkSupport.median(stage[s]),
                    Arrays.stream(stage[s]).min().orElse(0));
        }
    }

    /** The same weights snapshotted with the plain-Java kernels and with the vectorised ones, embeddings interleaved. */
    static void compareKernels(ModelConfig c, int rounds) {
        Map<String, INDArray> state = LiteMedSam.create(c, 1).stateDict();
        ImageEncoder vector = ImageEncoder.of(c, state);
        ImageEncoder plain = PlainKernels.get(() -> ImageEncoder.of(c, state));
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, c.imageSize(), c.imageSize());
        ImageEncoder[] encoders = {plain, vector};
        double[][] t = new double[2][rounds];
        for (int r = -3; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int which = (Math.max(r, 0) + i) % 2; // alternate which goes first
                long t0 = System.nanoTime();
                encoders[which].embed(image);
                if (r >= 0) {
                    t[which][r] = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        double p = BenchmarkSupport.median(t[0]);
        double v = BenchmarkSupport.median(t[1]);
        System.out.printf("BENCH liteMedSam kernels, %d interleaved rounds: plain-Java median %.3f s (min %.3f), vectorised "
                        + "median %.3f s (min %.3f); vectorised / plain = %.2f%n", rounds, p,
                Arrays.stream(t[0]).min().orElse(0), v, Arrays.stream(t[1]).min().orElse(0), v / p);
    }
}

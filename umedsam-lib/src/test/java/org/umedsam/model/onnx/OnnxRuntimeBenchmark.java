package org.umedsam.model.onnx;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.BenchmarkSupport;
import org.umedsam.io.Npy;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.cpu.ImageEncoder;
import org.umedsam.model.cpu.MaskDecoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;

/**
 * Side by side, in one process: the CPU engine against ONNX Runtime (Java API) on the identical model, the
 * CPU engine's weights exported by {@link OnnxExport}, at the same thread count. Runs alternate between the two
 * (the order flips every round) so that a change in machine load falls on both. Prints median and minimum
 * seconds of each and the ratio engine / ONNX Runtime of the medians, and the median of the rounds' own ratios (each
 * round's two calls are seconds apart, so a drift of this VM's speed between rounds cancels in them), for the image
 * encoder (batch 1) and the
 * prompt encoder + mask decoder per box (1 box per call, and {@code bench.boxes} boxes per call; and 1 box per call
 * in blocks of {@code bench.streamCalls} calls back to back, the pause only between blocks). The engine
 * is timed with its weight snapshot held ({@code ImageEncoder.of} once), ONNX Runtime with its session
 * created once; the encoder line also shows {@code LiteMedSam.embed}, the library's call, which keeps one
 * snapshot per weight version (the difference is its input checks and conversions). Prints only.
 *
 * <p>Weights: the parity checkpoint when {@code ../shared/fixtures} has it (LiteMedSAM), else the preset's
 * random initialisation. Options: {@code -Dbench.preset=litemedsam|small} (default litemedsam),
 * {@code -Dbench.threads=2}, {@code -Dbench.runs=15} (measured encoder rounds), {@code -Dbench.decoderRuns=31} (measured
 * decoder rounds: a call is short, so more rounds steady its median against this VM's swings), {@code -Dbench.warmups=2} (rounds at least) and
 * {@code -Dbench.warmupSeconds=5} (seconds at least, per comparison, interleaved), {@code -Dbench.engineWarmupSeconds=20}
 * (before each comparison the engine's call alone, back to back: the JIT needs hundreds of decoder calls on 2 cores; the
 * medians of its first and last calls are printed, so the cold figure shows too),
 * {@code -Dbench.boxes=10}, {@code -Dbench.pauseMillis=50} (idle time before each timed call or block), {@code -Dbench.streamCalls=10}, {@code -Dbench.ortSpinning=true} (ONNX Runtime's default spin-waiting threads).
 * Run on a quiet machine:
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=OnnxRuntimeBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class OnnxRuntimeBenchmark {

    static final Path PARITY = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity");

    @Test
    void engineAgainstOnnxRuntime() throws Exception {
        String preset = System.getProperty("bench.preset", "litemedsam");
        int threads = Integer.getInteger("bench.threads", 2);
        int runs = Integer.getInteger("bench.runs", 15);
        int decoderRuns = Integer.getInteger("bench.decoderRuns", 31);
        int warmups = Integer.getInteger("bench.warmups", 2);
        double warmupSeconds = Double.parseDouble(System.getProperty("bench.warmupSeconds", "5"));
        int boxCount = Integer.getInteger("bench.boxes", 10);
        double engineWarmupSeconds = Double.parseDouble(System.getProperty("bench.engineWarmupSeconds", "20"));
        boolean spinning = Boolean.parseBoolean(System.getProperty("bench.ortSpinning", "true"));
        ModelConfig c = ModelConfig.named(preset);
        Path pth = PARITY.resolve("litemedsam_perturbed.pth");
        boolean parity = preset.equals("litemedsam") && Files.isRegularFile(pth);
        LiteMedSam model = parity ? LiteMedSam.fromPth(pth) : LiteMedSam.create(c, 1L);
        int s = c.imageSize();
        INDArray image = parity ? OnnxExportParityTest.nd(Npy.read(PARITY.resolve("input_image.npy"))) : randomImage(s);

        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        ForkJoinPool pool = new ForkJoinPool(threads);
        System.out.printf("BENCH onnx: %s preset (%s weights), %d threads for both (engine: a %d-thread pool, whose "
                        + "threads run the large products as row blocks, and %d BLAS threads for the others; ONNX Runtime %s: %d intra-op threads, spinning %s), %d processors, %d encoder and %d decoder rounds after "
                        + "at least %d warm-up rounds and %.0f s of them per comparison, %d ms idle before each timed call; load average at start: %s%n", preset, parity ? "parity checkpoint" : "random", threads,
                threads, threads, OrtEnvironment.getEnvironment().getVersion(), threads, spinning,
                Runtime.getRuntime().availableProcessors(), runs, decoderRuns, warmups, warmupSeconds, PAUSE_MILLIS, BenchmarkSupport.loadAverage());
        System.out.printf("BENCH onnx: engine runs %s%n", org.umedsam.model.VectorSupport.describe());
        try (OrtModel ortEncoder = new OrtModel(OnnxExport.encoder(model), threads, spinning);
             OrtModel ortDecoder = new OrtModel(OnnxExport.decoder(model), threads, spinning)) {
            ImageEncoder encoder = ImageEncoder.of(c, model.stateDict());
            MaskDecoder decoder = MaskDecoder.of(c, model.stateDict());
            float[] pixels = OnnxExportTest.floats(image);
            INDArray embedding = in(pool, () -> encoder.embed(image));
            float[] emb = OnnxExportTest.floats(embedding);

            Callable<?> engineEncoder = () -> in(pool, () -> encoder.embed(image));
            System.out.printf("BENCH onnx: %s engine encoder warm-up alone: %s%n", preset,
                    BenchmarkSupport.firstAndLast(BenchmarkSupport.warmUpAlone(engineWarmupSeconds, engineEncoder), 5));
            double[][] enc = interleaved(warmups, warmupSeconds, runs,
                    () -> in(pool, () -> encoder.embed(image)),
                    () -> ortEncoder.run(Map.of(OnnxExport.IMAGE, new OrtModel.Input(pixels, image.shape()))),
                    () -> in(pool, () -> model.embed(image)));
            report(preset, "image encoder, batch 1", enc, 1);
            System.out.printf("BENCH onnx: %s   LiteMedSam.embed (snapshot kept per weight version): median %.3f s%n", preset,
                    BenchmarkSupport.median(enc[2]));
            System.out.printf("BENCH onnx: %s   heap allocated per engine embedding, all Java threads: %.1f MB (4 to 5 MB "
                    + "since the embedding reaches ND4J by one bulk copy, 8 to 9 MB before; tens of MB means a Vector API "
                    + "kernel ran boxed in this JVM)%n",
                    preset, allocatedPerCall(engineEncoder, 3) / 1e6);

            for (int n : new int[]{1, boxCount}) {
                INDArray boxes = boxes(n, s);
                float[] b = OnnxExportTest.floats(boxes);
                Callable<?> engineCall = () -> in(pool, () -> decoder.decode(embedding, boxes, false));
                Callable<?> ortCall = () -> ortDecoder.run(Map.of(OnnxExport.IMAGE_EMBEDDINGS,
                        new OrtModel.Input(emb, embedding.shape()), OnnxExport.BOXES, new OrtModel.Input(b, boxes.shape())));
                System.out.printf("BENCH onnx: %s engine decoder warm-up alone, %d box%s per call: %s%n", preset, n,
                        n == 1 ? "" : "es",
                        BenchmarkSupport.firstAndLast(BenchmarkSupport.warmUpAlone(engineWarmupSeconds, engineCall), 10));
                double[][] dec = interleaved(warmups, warmupSeconds, decoderRuns, engineCall, ortCall);
                report(preset, "decoder per box, " + n + (n == 1 ? " box" : " boxes") + " per call", dec, n);
                System.out.printf("BENCH onnx: %s   heap allocated per engine call, all Java threads: %.2f MB%n", preset,
                        allocatedPerCall(engineCall, 10) / 1e6);
                if (n == 1) {
                    // the same call back to back, as when a volume's boxes are decoded one after another: the idle
                    // time before an isolated call costs both contenders (on this VM the threads then queue for a
                    // CPU; printed below), so both regimes are reported
                    double[][] stream = interleaved(0, 0, Math.max(3, decoderRuns / 3),
                            () -> repeat(engineCall, STREAM_CALLS), () -> repeat(ortCall, STREAM_CALLS));
                    report(preset, "decoder per box, 1 box per call, " + STREAM_CALLS + " calls back to back", stream, STREAM_CALLS);
                    System.out.printf("BENCH onnx: %s   engine, 1 box per call, where the time goes: %s%n", preset,
                            queueWait(engineCall, 15));
                }
            }
        } finally {
            pool.shutdown();
        }
        System.out.printf("BENCH onnx: peak RSS (VmHWM) %s; load average at end: %s%n", BenchmarkSupport.procStatus("VmHWM"),
                BenchmarkSupport.loadAverage());
    }

    /**
     * Medians over {@code calls} calls of {@code task} after {@link #PAUSE_MILLIS} idle and right after an untimed
     * call: wall time, CPU time of all the process's threads, and their time runnable but waiting for a CPU
     * ({@link BenchmarkSupport#threadSchedNanos}, read outside the timed call). Same CPU time and more waiting after
     * idle time says the threads queued for a CPU, not that there was more work (2026-12-05: 11 to 15 ms of waiting
     * after idle time against 2.8 ms when the workers had been busy, docs/speed-history.md).
     */
    static String queueWait(Callable<?> task, int calls) throws Exception {
        StringBuilder out = new StringBuilder();
        for (boolean idle : new boolean[] {true, false}) {
            double[] wall = new double[calls];
            double[] cpu = new double[calls];
            double[] wait = new double[calls];
            for (int i = 0; i < calls; i++) {
                if (idle) {
                    Thread.sleep(PAUSE_MILLIS);
                } else {
                    task.call();
                }
                long[] s0 = BenchmarkSupport.threadSchedNanos();
                long t0 = System.nanoTime();
                task.call();
                wall[i] = (System.nanoTime() - t0) / 1e6;
                long[] s1 = BenchmarkSupport.threadSchedNanos();
                cpu[i] = (s1[0] - s0[0]) / 1e6;
                wait[i] = (s1[1] - s0[1]) / 1e6;
            }
            out.append(String.format("%s%s %.1f ms wall, %.1f ms CPU, %.1f ms waiting for a CPU", idle ? "" : "; ",
                    idle ? "after " + PAUSE_MILLIS + " ms idle" : "right after another call", BenchmarkSupport.median(wall),
                    BenchmarkSupport.median(cpu), BenchmarkSupport.median(wait)));
        }
        return out + " (medians of " + calls + ", all threads of the process)";
    }

    /** Bytes the JVM's threads allocate per call of {@code task}, over {@code calls} calls. */
    static double allocatedPerCall(Callable<?> task, int calls) throws Exception {
        long before = BenchmarkSupport.allocatedBytes();
        for (int i = 0; i < calls; i++) {
            task.call();
        }
        return (double) (BenchmarkSupport.allocatedBytes() - before) / calls;
    }

    /** Calls per timed block of the back-to-back decoder comparison ({@code -Dbench.streamCalls}). */
    static final int STREAM_CALLS = Integer.getInteger("bench.streamCalls", 10);

    /** Calls {@code task} {@code times} times in a row. */
    static Object repeat(Callable<?> task, int times) throws Exception {
        Object last = null;
        for (int i = 0; i < times; i++) {
            last = task.call();
        }
        return last;
    }

    /** Milliseconds between two timed calls ({@code -Dbench.pauseMillis}). */
    static final long PAUSE_MILLIS = Long.getLong("bench.pauseMillis", 50);

    /**
     * Wall seconds of each contender per round, contenders in rotating order; {@code [contender][round]}; after
     * warm-up rounds ({@link BenchmarkSupport#warmUp}: at least {@code warmups} and {@code warmupSeconds}).
     */
    static double[][] interleaved(int warmups, double warmupSeconds, int runs, Callable<?>... contenders) throws Exception {
        Runnable[] unchecked = new Runnable[contenders.length];
        for (int k = 0; k < contenders.length; k++) {
            Callable<?> c = contenders[k];
            unchecked[k] = () -> {
                try {
                    c.call();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        BenchmarkSupport.warmUp(warmups, warmupSeconds, unchecked);
        double[][] t = new double[contenders.length][runs];
        for (int r = 0; r < runs; r++) {
            for (int k = 0; k < contenders.length; k++) {
                int i = (r + k) % contenders.length;
                // idle cores for each contender: ONNX Runtime's threads spin-wait after a run, and without a pause
                // that spinning fell on the engine's next call (1-box decoder: 0.050 to 0.067 s median here,
                // 0.041 s in CpuDecoderBenchmark alone)
                Thread.sleep(PAUSE_MILLIS);
                long t0 = System.nanoTime();
                contenders[i].call();
                t[i][r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return t;
    }

    static void report(String preset, String what, double[][] t, int perCall) {
        double engine = BenchmarkSupport.median(t[0]) / perCall;
        double ort = BenchmarkSupport.median(t[1]) / perCall;
        double[] rounds = roundRatios(t);
        System.out.printf("BENCH onnx: %s %-38s engine median %.4f s (min %.4f), ONNX Runtime median %.4f s (min %.4f); "
                        + "engine / ONNX Runtime = %.2f; per round: median %.2f, quartiles %.2f to %.2f of %d%n", preset, what,
                engine, Arrays.stream(t[0]).min().orElse(0) / perCall, ort, Arrays.stream(t[1]).min().orElse(0) / perCall,
                engine / ort, BenchmarkSupport.median(rounds), rounds[rounds.length / 4], rounds[(3 * rounds.length) / 4],
                rounds.length);
        if (t.length == 2 && t[0].length >= 3) {
            System.out.printf("BENCH onnx: %s   by the call %d ms before: engine after its own %.4f s, after ONNX "
                            + "Runtime's %.4f s; ONNX Runtime after its own %.4f s, after the engine's %.4f s (medians, "
                            + "rounds from the second)%n", preset, PAUSE_MILLIS,
                    afterCall(t[0], 0, perCall), afterCall(t[0], 1, perCall), afterCall(t[1], 1, perCall),
                    afterCall(t[1], 0, perCall));
        }
    }

    /**
     * The median of a contender's times over the rounds from the second whose parity is {@code parity}, per
     * {@code perCall}. With two contenders in {@link #interleaved}'s rotating order (rounds {@code E O | O E | E O
     * ...}) the engine's call follows its own previous call in even rounds and ONNX Runtime's in odd ones, and ONNX
     * Runtime's the other way round. Why: ONNX Runtime's threads spin-wait after a run (about 30 to 40 ms of CPU
     * after a 1-box decode, 2026-12-07), so a call after one of its runs might have shared the cores with that
     * spinning; over 61 rounds the engine's 1-box decode after idle took the same either way (docs/speed-history.md).
     */
    static double afterCall(double[] times, int parity, int perCall) {
        double[] picked = java.util.stream.IntStream.range(1, times.length).filter(r -> r % 2 == parity)
                .mapToDouble(r -> times[r]).toArray();
        return BenchmarkSupport.median(picked) / perCall;
    }

    /** Engine over ONNX Runtime in each round ({@code t[0][r] / t[1][r]}), sorted. */
    static double[] roundRatios(double[][] t) {
        double[] r = new double[t[0].length];
        for (int i = 0; i < r.length; i++) {
            r[i] = t[0][i] / t[1][i];
        }
        Arrays.sort(r);
        return r;
    }

    /** Runs {@code task} on {@code pool}, so the engine's parallel loops use that pool's threads. */
    static <T> T in(ForkJoinPool pool, Callable<T> task) throws Exception {
        return pool.submit(task).get();
    }

    static INDArray randomImage(int s) {
        Random r = new Random(3);
        float[] v = new float[3 * s * s];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Nd4j.create(v, new long[]{1, 3, s, s}, 'c');
    }

    /** {@code n} boxes of varied size inside the {@code s x s} frame. */
    static INDArray boxes(int n, int s) {
        Random r = new Random(n);
        float[][] b = new float[n][];
        for (int i = 0; i < n; i++) {
            float x0 = r.nextInt(s / 2);
            float y0 = r.nextInt(s / 2);
            b[i] = new float[]{x0, y0, x0 + 20 + r.nextInt(s / 2 - 20), y0 + 20 + r.nextInt(s / 2 - 20)};
        }
        return Nd4j.createFromArray(b);
    }
}

package org.umedsam.infer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.BenchmarkSupport;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.data.DefaultDatasets;
import org.umedsam.data.ImageU8;
import org.umedsam.data.PreparedImage;
import org.umedsam.data.Preprocess;
import org.umedsam.model.EmbeddingCache;
import org.umedsam.model.LiteMedSam;

/**
 * Inference overhead (issue 14 item 3): per case, wall time against what the model alone costs,
 * {@code embeddings x embed time + decodes x decode time}, with the embed and decode times measured in
 * isolation in the same process just before and just after each case, averaged ({@code LiteMedSam.embed} of one
 * {@code [1, 3, 256, 256]} image, median of 3; {@code LiteMedSam.decodeAtWeightVersion} of one box, median of
 * 5, both on an image the decoder has just seen and on a new one), and the ratio of wall time to the model time
 * measured inside the case (less sensitive to a load that changes between the two), and where the rest went
 * ({@link InferenceTimings}: preprocessing, post-processing, next-slice boxes, painting, {@code System.gc()},
 * untimed remainder), how much CPU time the JIT's and the collector's threads took during it
 * ({@link BenchmarkSupport#threadTimes}: a fresh JVM still compiles on the same two cores, and a large image's
 * arrays start the collector's concurrent work) and how long the process's threads waited for a CPU during the case
 * (per second of wall time, in the case and while the parts were timed
 * alone: on a VM whose scheduler keeps little-used threads on one CPU, model calls between other work can queue
 * for a CPU more than the same calls back to back).
 *
 * <p>A decode call's first box on an image the decoder has not just decoded makes that image's context (its image
 * tokens and the first block's image projections, {@code ImageContext}); the call's other boxes, and later calls
 * on the same image, reuse it. A volume's slices are each a new image, so the model's cost of a case is
 * {@code embeddings x embed + calls x (one box on a new image) + (boxes - calls) x (one box on a kept image)}, which
 * assumes every call makes a context (true when calls alternate between slices). The ratio against that is the one
 * checked; the line also prints the ratio with every box priced as a decode on a kept image, as this benchmark
 * did until 2026-12-06, which leaves the contexts out of the model's time. Target: ratio at most 1.15 (for each 3D case of the default
 * data the median of {@code -Dbench.caseRuns=3} runs, for each Table 4 shape of {@code -Dbench.shapeRuns=5}, each
 * against its own parts). Cases: the paper's three Table 4 shapes with synthetic
 * content ({@link Table4Cases}, as {@link InferBenchmarkTest}) and the 3D test cases of the default data ({@code data/test}, built
 * by {@link DefaultDatasets#ensure}, e.g. on the CLI's first {@code umedsam train} or {@code ablations}).
 * Every figure line ends with the load average (1, 5, 15 min): above about 1.2 on 2 cores the wall times are
 * contended, the ratios less so (both sides are measured in the same process within seconds). The memory
 * test runs a 64-slice volume four times and prints resident memory and the native arrays held after each:
 * they must not grow from run to run.
 *
 * <p>Run (model: {@code -Dumedsam.bench.model=small-base} by default, the shipped small preset the
 * committed Table 4 analogue times; any checkpoint path or shipped name; data root
 * {@code -Dumedsam.bench.data=<dir>}, default {@code <checkout>/data}):
 * <pre>
 * OMP_WAIT_POLICY=PASSIVE mvn -B -o -pl umedsam-lib test -Dtest=InferOverheadBenchmarkTest \
 *     -Dgroups=benchmark -DexcludedGroups=none -Dsurefire.argLine=-Xmx4g
 * </pre>
 * (one part: {@code -Dtest='InferOverheadBenchmarkTest#defaultData3dCases'}, {@code #table4Shapes},
 * {@code #volume64MemoryStaysBounded}, {@code #gcCostWithAnEmbeddingCacheAlive}; about 7 min on a quiet machine).
 */
@Tag("benchmark")
class InferOverheadBenchmarkTest {
    static final double TARGET_RATIO = 1.15;
    static LiteMedSam model;

    static INDArray probeImage;
    static INDArray probeEmbedding;
    /** A second image's embedding: decoding it and {@link #probeEmbedding} in turn makes a context every call. */
    static INDArray otherEmbedding;
    static final INDArray PROBE_BOX = Nd4j.createFromArray(new float[][] {{30, 40, 150, 170}});

    @BeforeAll
    static void load() throws Exception {
        Table4Cases.useTwoThreads();
        String name = System.getProperty("umedsam.bench.model", "small-base");
        try {
            model = Predictor.loadModel(Path.of(name));
        } catch (java.io.IOException e) {
            System.out.println("model " + name + " not loadable: " + e.getMessage());
            return;
        }
        probeImage = noiseImage(1);
        probeEmbedding = model.embed(probeImage);
        otherEmbedding = model.embed(noiseImage(2));
        // the per-call weight snapshot that every decode took before: both kinds warmed up, then alternated
        for (int i = 0; i < 10; i++) {
            model.decode(probeEmbedding, PROBE_BOX, false);
            model.decodeAtWeightVersion(probeEmbedding, PROBE_BOX, false);
        }
        double[] fresh = new double[9];
        double[] kept = new double[9];
        for (int i = 0; i < 9; i++) {
            fresh[i] = BenchmarkSupport.sortedSeconds(0, 1, () -> model.decode(probeEmbedding, PROBE_BOX, false))[0];
            kept[i] = BenchmarkSupport.sortedSeconds(0, 1,
                    () -> model.decodeAtWeightVersion(probeEmbedding, PROBE_BOX, false))[0];
        }
        System.out.printf("model %s (%s): decode of one box %.4f s with a fresh weight snapshot (every decode call "
                        + "before), %.4f s with the snapshot of the weight version (medians of 9, alternated; load %s)%n",
                name, model.config().promptEmbedDim() + "-wide decoder", BenchmarkSupport.median(fresh),
                BenchmarkSupport.median(kept), BenchmarkSupport.loadAverage());
    }

    /** A prepared 256 x 256 image of noise ({@link Table4Cases#noise} with {@code seed}), {@code [1, 3, 256, 256]}. */
    private static INDArray noiseImage(int seed) {
        PreparedImage p = Preprocess.defaults().prepare(new ImageU8(256, 256, 3, Table4Cases.noise(256 * 256 * 3, seed)));
        return Nd4j.create(p.chw(), new long[] {1, 3, 256, 256}, 'c');
    }

    /**
     * The model's parts alone: median of 3 embeds, of 5 one-box decodes on the image decoded just before, and of 5
     * one-box decodes each on the other of two images (one of each untimed first), as {@code {embed s, decode s on a
     * kept image, seconds the threads waited for a CPU per second of these calls, decode s on a new image}}.
     */
    static double[] measureParts() {
        long[] sched0 = BenchmarkSupport.threadSchedNanos();
        long t0 = System.nanoTime();
        double embed = BenchmarkSupport.median(BenchmarkSupport.sortedSeconds(1, 3,
                () -> model.embed(probeImage).close()));
        double decode = BenchmarkSupport.median(BenchmarkSupport.sortedSeconds(1, 5,
                () -> model.decodeAtWeightVersion(probeEmbedding, PROBE_BOX, false)));
        int[] calls = {0};
        double newImage = BenchmarkSupport.median(BenchmarkSupport.sortedSeconds(1, 5,
                () -> model.decodeAtWeightVersion(calls[0]++ % 2 == 0 ? otherEmbedding : probeEmbedding, PROBE_BOX, false)));
        long wall = System.nanoTime() - t0;
        long[] sched1 = BenchmarkSupport.threadSchedNanos();
        return new double[] {embed, decode, (double) (sched1[1] - sched0[1]) / wall, newImage};
    }

    /**
     * Predicts {@code c} once and prints wall vs model-only time and the breakdown of the rest; returns the ratio, the
     * ratio with every box priced as a decode on a kept image, and wall over the model's time inside the case.
     */
    static double[] measure(Predictor predictor, Case c) {
        CaseInference inf = new CaseInference(predictor, 64);
        // the parts just before and just after the case, averaged, so that a drift over the case counts half. On a
        // host whose speed swings by 20 to 30 % within seconds this ratio stays noisy all the same (0.86 to 1.32
        // with the parts measured before only, 0.84 to 1.36 averaged, over the default data's 3D cases,
        // 2026-12-04), while wall over the model's time inside the case stayed within 1.01 to 1.04: read that one
        double[] before = measureParts();
        InferenceTimings timingsBefore = predictor.timings().copy();
        BenchmarkSupport.ThreadTimes threads0 = threadTimesOrZero();
        long heap0 = BenchmarkSupport.allocatedBytes();
        long t0 = System.nanoTime();
        CaseInference.Output o = inf.predict(c);
        double wall = (System.nanoTime() - t0) / 1e9;
        long heap = BenchmarkSupport.allocatedBytes() - heap0;
        BenchmarkSupport.ThreadTimes threads1 = threadTimesOrZero();
        InferenceTimings t = predictor.timings().minus(timingsBefore);
        double[] after = measureParts();
        double embedSeconds = (before[0] + after[0]) / 2;
        double decodeSeconds = (before[1] + after[1]) / 2;
        double newImageSeconds = (before[3] + after[3]) / 2;
        long calls = t.decodeCalls();
        long extraBoxes = o.decodes() - calls;
        double expected = o.embeddings() * embedSeconds + calls * newImageSeconds + extraBoxes * decodeSeconds;
        double keptOnly = o.embeddings() * embedSeconds + o.decodes() * decodeSeconds;
        double untimed = wall - t.timedNanos() / 1e9;
        System.out.printf("%-34s %-13s %2d obj: wall %6.2f s, model-only %6.2f s (%d x %.3f + %d calls x %.3f + %d more "
                        + "boxes x %.3f), ratio %.2f%s; every box as a decode on a kept image %.2f s, ratio %.2f; "
                        + "wall / model time in the case %.3f; in the case: %s, untimed %.3f s; threads used %.2f s of CPU and "
                        + "waited %.3f s for one (%.2f s per second of wall; the parts timed alone %.2f); of the CPU "
                        + "time, the JIT's threads %.3f s and the collector's %.3f s; heap allocated %.0f MB; RSS %s "
                        + "(peak %s), native arrays held %.0f MB; load %s%n",
                c.name(), java.util.Arrays.toString(c.shape()), o.boxes(), wall, expected, o.embeddings(), embedSeconds,
                calls, newImageSeconds, extraBoxes, decodeSeconds, wall / expected,
                wall / expected <= TARGET_RATIO ? "" : " (> " + TARGET_RATIO + ")", keptOnly, wall / keptOnly,
                wall / (t.modelNanos() / 1e9), t, untimed, (threads1.cpu() - threads0.cpu()) / 1e9,
                (threads1.waitForCpu() - threads0.waitForCpu()) / 1e9, (threads1.waitForCpu() - threads0.waitForCpu()) / 1e9 / wall,
                (before[2] + after[2]) / 2, (threads1.compilerCpu() - threads0.compilerCpu()) / 1e9,
                (threads1.collectorCpu() - threads0.collectorCpu()) / 1e9, heap / 1e6,
                BenchmarkSupport.procStatus("VmRSS"),
                BenchmarkSupport.procStatus("VmHWM"), org.bytedeco.javacpp.Pointer.totalBytes() / 1e6,
                BenchmarkSupport.loadAverage());
        return new double[] {wall / expected, wall / keptOnly, wall / (t.modelNanos() / 1e9)};
    }

    @Test
    void table4Shapes() {
        assumeTrue(model != null, "model absent");
        Predictor predictor = Predictor.of(model);
        List<Case> shapes = List.of(Table4Cases.image256x256OneBox(), Table4Cases.image1536x2040With19Boxes(),
                Table4Cases.volume64x290x320());
        // Each shape once first: a size reaches code (resizing a large image, painting its masks back) that no
        // smaller case compiled, so the first run of each shape in a JVM times the JIT as much as the case. Those
        // first runs are printed apart; the ratios are then medians of several runs, as for the 3D cases.
        double[] first = new double[shapes.size()];
        for (int i = 0; i < shapes.size(); i++) {
            first[i] = measure(predictor, shapes.get(i))[0];
        }
        // five runs a shape, not the 3D cases' three: a fresh JVM still compiles, and a collection starts now and
        // then, during the two short cases (0.1 and 0.3 s), so one run in three or four is 1.3 to 2.0 (2026-12-08)
        int runs = Integer.getInteger("bench.shapeRuns", 5);
        double worst = 0;
        double worstInCase = 0;
        StringBuilder summary = new StringBuilder();
        for (int i = 0; i < shapes.size(); i++) {
            Case c = shapes.get(i);
            double[][] m = sortedRuns(predictor, c, runs);
            double[] inCase = m[2];
            double median = m[0][runs / 2];
            System.out.printf("%-34s median ratio of %d runs %.2f%s (runs %s), wall / model time in the case %.3f; its "
                            + "first run in this JVM %.2f%n", c.name(), runs, median,
                    median <= TARGET_RATIO ? "" : " (> " + TARGET_RATIO + ")", rounded(m[0]), inCase[runs / 2], first[i]);
            summary.append(String.format(" %s %.2f (first run %.2f);", c.name(), median, first[i]));
            worst = Math.max(worst, median);
            worstInCase = Math.max(worstInCase, inCase[runs / 2]);
        }
        System.out.printf("Table 4 shapes, median of %d runs each after one run of every shape:%s worst %.3f (target %.2f); "
                        + "wall / model time in the case, worst median %.3f; load %s%n", runs, summary, worst,
                TARGET_RATIO, worstInCase, BenchmarkSupport.loadAverage());
    }

    @Test
    void defaultData3dCases() throws Exception {
        assumeTrue(model != null, "model absent");
        Path root = Path.of(System.getProperty("umedsam.bench.data", DefaultDatasets.defaultRoot().toString()));
        Path test = root.resolve("test");
        assumeTrue(Files.isDirectory(test), "no default data under " + root);
        List<Path> files = new ArrayList<>();
        for (Path f : CaseReader.listCases(test)) {
            if (f.getFileName().toString().startsWith("3D")) {
                files.add(f);
            }
        }
        assumeTrue(!files.isEmpty(), "no 3D test cases under " + test);
        Predictor predictor = Predictor.of(model);
        measure(predictor, CaseReader.read(files.get(0))); // warm-up
        // each case several times, each run against the parts timed just before and after it, and its median run
        // taken: one run's ratio moved by up to a third with this VM's speed (0.84 to 1.36, 2026-12-04)
        int runs = Integer.getInteger("bench.caseRuns", 3);
        double sum = 0;
        double worst = 0;
        double worstRun = 0;
        double keptSum = 0;
        double keptWorst = 0;
        for (Path f : files) {
            Case c = CaseReader.read(f);
            double[][] m = sortedRuns(predictor, c, runs);
            double[] r = m[0];
            double[] kept = m[1];
            keptSum += kept[runs / 2];
            keptWorst = Math.max(keptWorst, kept[runs / 2]);
            double median = r[runs / 2];
            System.out.printf("%-34s median ratio of %d runs %.2f%s (runs %s)%n", c.name(), runs, median,
                    median <= TARGET_RATIO ? "" : " (> " + TARGET_RATIO + ")", rounded(r));
            sum += median;
            worst = Math.max(worst, median);
            worstRun = Math.max(worstRun, r[runs - 1]);
        }
        System.out.printf("default data, %d 3D test cases, median of %d runs each: mean ratio %.3f, worst %.3f (target "
                        + "%.2f), worst single run %.3f; every box priced as a decode on a kept image: mean %.3f, worst "
                        + "%.3f; load %s%n", files.size(), runs, sum / files.size(), worst,
                TARGET_RATIO, worstRun, keptSum / files.size(), keptWorst, BenchmarkSupport.loadAverage());
    }

    /** {@link BenchmarkSupport#threadTimes}, or zeros where the threads cannot be read (the figures then say 0). */
    private static BenchmarkSupport.ThreadTimes threadTimesOrZero() {
        BenchmarkSupport.ThreadTimes t = BenchmarkSupport.threadTimes();
        return t != null ? t : new BenchmarkSupport.ThreadTimes(0, 0, 0, 0);
    }

    /**
     * {@code c} predicted {@code runs} times, each run against the parts timed around it ({@link #measure}): for each of
     * measure's figures (the ratio, the ratio with kept-image pricing, wall over model time in the case) its values
     * over the runs, sorted, so that {@code [j][runs / 2]} is a median.
     */
    private static double[][] sortedRuns(Predictor predictor, Case c, int runs) {
        double[][] byFigure = new double[3][runs];
        for (int k = 0; k < runs; k++) {
            double[] m = measure(predictor, c);
            for (int j = 0; j < byFigure.length; j++) {
                byFigure[j][k] = m[j];
            }
        }
        for (double[] figure : byFigure) {
            java.util.Arrays.sort(figure);
        }
        return byFigure;
    }

    /** The values to two decimals, as a list. */
    private static String rounded(double[] values) {
        return java.util.Arrays.toString(java.util.Arrays.stream(values).map(x -> Math.round(x * 100) / 100.0).toArray());
    }

    /**
     * What the {@code System.gc()} that inference used to call every 4 embeddings costs in a process like the
     * ablation study's, which keeps its {@link EmbeddingCache} (up to a quarter of the heap, 2 MiB per small-preset
     * embedding) alive while Table 4 is timed: 400 such arrays held (the default test split's embeddings), median
     * of 5 calls.
     */
    @Test
    void gcCostWithAnEmbeddingCacheAlive() {
        int count = Integer.getInteger("umedsam.bench.liveEmbeddings", 400);
        List<float[]> live = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            live.add(new float[128 * 64 * 64]);
        }
        double small = BenchmarkSupport.median(BenchmarkSupport.sortedSeconds(1, 5, System::gc));
        System.out.printf("System.gc() with %d embeddings (%.0f MB) alive: %.3f s median of 5; heap max %.1f GB; load %s%n",
                live.size(), live.size() * 128 * 64 * 64 * 4 / 1e6, small, Runtime.getRuntime().maxMemory() / 1e9,
                BenchmarkSupport.loadAverage());
        live.clear();
        double empty = BenchmarkSupport.median(BenchmarkSupport.sortedSeconds(1, 5, System::gc));
        System.out.printf("System.gc() with them released: %.3f s; load %s%n", empty, BenchmarkSupport.loadAverage());
    }

    /** Resident memory after each of four predictions of a 64-slice volume: bounded if it stops growing. */
    @Test
    void volume64MemoryStaysBounded() {
        assumeTrue(model != null, "model absent");
        Predictor predictor = Predictor.of(model);
        Case v = Table4Cases.volume64x290x320();
        for (int i = 0; i < 4; i++) {
            measure(predictor, v);
        }
    }
}

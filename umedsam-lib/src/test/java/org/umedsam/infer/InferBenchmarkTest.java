package org.umedsam.infer;

import org.umedsam.BenchmarkSupport;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.umedsam.data.Case;
import org.umedsam.data.ImageU8;

/**
 * Prints inference seconds for cases shaped like U-MedSAM's Table 4 (paper, their CPU, with
 * container start: 5.4 s, 6.4 s, 73.5 s) with synthetic content (noise images, random boxes), on 2
 * threads, and the cost of the parts (model load, one embedding, one decode). Wall seconds, process
 * CPU seconds (all threads, native ones included), peak resident memory and the load average at the end
 * are printed (a load above about 1.2 on 2 cores means the wall figures are contended). Run with
 * {@code mvn -pl umedsam-lib test -Dtest=InferBenchmarkTest -Dgroups=benchmark -DexcludedGroups=none}
 * (or one method: {@code -Dtest=InferBenchmarkTest#volume64x290x320}).
 */
@Tag("benchmark")
class InferBenchmarkTest {
    static final Path CHECKPOINT = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity",
            "litemedsam_perturbed.pth");
    static Predictor predictor;

    @BeforeAll
    static void load() throws Exception {
        if (!Files.isRegularFile(CHECKPOINT)) {
            return;
        }
        Table4Cases.useTwoThreads();
        long t0 = System.nanoTime();
        predictor = Predictor.of(Predictor.loadModel(CHECKPOINT));
        System.out.printf("model load (.pth): %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** CPU seconds of the whole process (all threads, native ones included). */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** Peak resident memory of this process (VmHWM), in GiB. */
    static double peakRssGiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
            }
        }
        return Double.NaN;
    }

    static void run(Case c) throws Exception {
        assumeTrue(predictor != null, "parity checkpoint absent");
        CaseInference inf = new CaseInference(predictor, 64);
        double ca = cpuSeconds();
        long a = System.nanoTime();
        CaseInference.Output o = inf.predict(c);
        double sec = (System.nanoTime() - a) / 1e9;
        System.out.printf("Table 4 shape %s %s, %d boxes: %.2f s wall, %.2f CPU s, %d embeddings, %d decodes, peak RSS "
                + "%.2f GiB (2 threads; model already loaded; load average %s)%n", c.name(),
                java.util.Arrays.toString(c.shape()), o.boxes(), sec, cpuSeconds() - ca, o.embeddings(), o.decodes(),
                peakRssGiB(), BenchmarkSupport.loadAverage());
    }

    @Test
    void parts() {
        assumeTrue(predictor != null, "parity checkpoint absent");
        ImageU8 img = new ImageU8(256, 256, 3, Table4Cases.noise(256 * 256 * 3, 1));
        for (int i = 0; i < 3; i++) {
            double ca = cpuSeconds();
            long a = System.nanoTime();
            SliceSegmenter.Embedded e = predictor.embed(img);
            long b = System.nanoTime();
            double cb = cpuSeconds();
            e.decode(new double[][] {{10, 10, 100, 100}});
            long c = System.nanoTime();
            double cc = cpuSeconds();
            e.decode(new double[][] {{10, 10, 100, 100}, {50, 50, 200, 200}, {0, 0, 255, 255}, {30, 40, 90, 120}});
            long d = System.nanoTime();
            double cd = cpuSeconds();
            System.out.printf("run %d: embed %.2f s (%.2f CPU s), decode 1 box %.2f s (%.2f CPU s), decode 4 boxes "
                    + "%.2f s (%.2f CPU s)%n", i + 1, (b - a) / 1e9, cb - ca, (c - b) / 1e9, cc - cb, (d - c) / 1e9, cd - cc);
        }
    }

    @Test
    void image256x256OneBox() throws Exception {
        run(Table4Cases.image256x256OneBox());
    }

    @Test
    void image1536x2040With19Boxes() throws Exception {
        run(Table4Cases.image1536x2040With19Boxes());
    }

    @Test
    void volume64x290x320() throws Exception {
        run(Table4Cases.volume64x290x320());
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.BenchmarkSupport;

import org.bytedeco.javacpp.FloatPointer;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * {@link Gemm} throughput on every product shape of LiteMedSAM's image encoder, against the same product on
 * operands already off-heap: {@code Nd4j.gemm} with ND4J's platform helpers on (its default, and what
 * {@link Gemm} runs: the matmul op hands the product to oneDNN) and off (OpenBLAS through ND4J's op), and
 * OpenBLAS's {@code cblas_sgemm} called directly. Interleaved rounds, medians; prints GMAC/s per shape, and per
 * image the wall seconds and the process CPU seconds (all threads) each way.
 *
 * <p>Why {@link Gemm} still goes through ND4J's default (2026-12-04, 2-core AMD EPYC): products alone, OpenBLAS
 * called directly took 0.59 s per image against 0.89 s for the oneDNN path (nearly quiet); but inside the encoder,
 * where Java loops run between the products, a {@link Gemm} calling {@code cblas_sgemm} cost more process CPU,
 * 3.0 against 2.2 s per embed, and was not faster (1.6 against 1.4 s, measured while other work loaded the
 * machine): OpenBLAS's idle threads keep spinning after a call, on the cores the Java loops need. Splitting the
 * rows over two Java threads with single-threaded OpenBLAS cost 2.5 s of CPU. The same held on a first-generation
 * Zen host (2026-12-04, 13:20 UTC; each way one JVM, the encoder's median of 5 embeddings): ND4J's default 2.11 s
 * (3.72 s CPU); {@code cblas_sgemm} on {@link Gemm}'s staged buffers 2.48 s (4.84 s CPU); rows split over two Java
 * threads with OpenBLAS at one thread 2.19 s (3.89 s CPU); ND4J with its helpers off, in later, slower runs, 3.6
 * and 4.0 s against 2.8 and 3.2 s with them on. Prints only; no timed assertions.
 *
 * <p>{@code mvn -B -o -pl umedsam-lib test -Dtest=GemmShapesBenchmark -Dgroups=benchmark -DexcludedGroups=none}
 */
@Tag("benchmark")
public class GemmShapesBenchmark {

    /**
     * {@code m, k, n, calls per image}: every product LiteMedSAM's encoder runs for one image, as logged from
     * {@link Gemm} (rows split as {@link Linear} and {@link MBConv} split them; shapes that differ by a row or two
     * merged), all with the weight transposed ({@code b [n, k]}) except the patch embedding's two
     * {@code [C_out, C_in*9] x [C_in*9, 65536]} products, left out (0.1 GMAC). 33.0 GMAC per image.
     */
    public static final int[][] ENCODER_SHAPES = {
            {1024, 64, 256, 128}, {1024, 256, 64, 128}, // stage 0: MBConv expand and project on 1024-pixel bands
            {10923, 64, 128, 6}, {5462, 128, 160, 3}, {4096, 160, 320, 1}, // patch merging 1x1 convolutions
            {4096, 128, 384, 8}, {8192, 128, 128, 6}, {3277, 128, 512, 10}, {3277, 512, 128, 10}, // stage 1
            {2048, 160, 480, 12}, {4096, 160, 160, 7}, {2048, 160, 640, 12}, {2048, 640, 160, 12}, // stage 2
            {1366, 320, 960, 6}, {2048, 320, 320, 6}, {1024, 320, 1280, 8}, {1024, 1280, 320, 8}, // stage 3
            {4096, 320, 256, 1}, {4096, 2304, 256, 1}, // neck: 1x1, then 3x3 as im2col
    };

    @Test
    void shapes() {
        int rounds = Integer.getInteger("bench.runs", 9);
        System.out.printf("BENCH gemm load %s%n", BenchmarkSupport.loadAverage());
        String[] names = {"Gemm (staged)", "Nd4j.gemm helpers on (oneDNN)", "Nd4j.gemm helpers off (OpenBLAS)",
                "cblas_sgemm (OpenBLAS)"};
        double[] perImage = new double[names.length];
        double[] cpuPerImage = new double[names.length];
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double macs = 0;
        boolean helpers = Nd4j.getEnvironment().helpersAllowed();
        Random r = new Random(1);
        try {
            for (int[] s : ENCODER_SHAPES) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                float[] a = randoms(r, m * k);
                float[] b = randoms(r, n * k);
                float[] c = new float[m * n];
                INDArray na = Nd4j.create(a, new long[]{m, k}, 'c');
                INDArray nb = Nd4j.create(b, new long[]{n, k}, 'c');
                INDArray nc = Nd4j.create(DataType.FLOAT, m, n);
                FloatPointer pa = new FloatPointer(a);
                FloatPointer pb = new FloatPointer(b);
                FloatPointer pc = new FloatPointer((long) m * n);
                Runnable[] ways = {
                        () -> {
                            Nd4j.getEnvironment().allowHelpers(helpers); // as the engine runs it
                            Gemm.multiply(a, 0, m, k, b, 0, n, true, c, 0);
                        },
                        () -> {
                            Nd4j.getEnvironment().allowHelpers(true);
                            Nd4j.gemm(na, nb, nc, false, true, 1.0, 0.0);
                        },
                        () -> {
                            Nd4j.getEnvironment().allowHelpers(false);
                            Nd4j.gemm(na, nb, nc, false, true, 1.0, 0.0);
                        },
                        () -> cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, pa, k, pb, k, 0f, pc, n)};
                double[][] t = new double[ways.length][rounds];
                double[][] cpu = new double[ways.length][rounds];
                for (int round = -2; round < rounds; round++) {
                    for (int i = 0; i < ways.length; i++) {
                        int w = (Math.max(round, 0) + i) % ways.length;
                        long c0 = os.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        ways[w].run();
                        if (round >= 0) {
                            t[w][round] = (System.nanoTime() - t0) / 1e9;
                            cpu[w][round] = (os.getProcessCpuTime() - c0) / 1e9;
                        }
                    }
                }
                double mac = (double) m * k * n;
                StringBuilder line = new StringBuilder(String.format("BENCH gemm %5d x %4d x %4d (x%2d per image):", m, k, n, s[3]));
                for (int w = 0; w < ways.length; w++) {
                    double med = BenchmarkSupport.median(t[w]);
                    perImage[w] += med * s[3];
                    cpuPerImage[w] += BenchmarkSupport.median(cpu[w]) * s[3];
                    line.append(String.format(" %s %.0f GMAC/s;", names[w], mac / med / 1e9));
                }
                macs += mac * s[3];
                System.out.println(line);
                pa.close();
                pb.close();
                pc.close();
            }
        } finally {
            Nd4j.getEnvironment().allowHelpers(helpers);
        }
        for (int w = 0; w < names.length; w++) {
            System.out.printf("BENCH gemm per image (%.1f GMAC): %-34s wall %.3f s, process CPU %.3f s%n", macs / 1e9,
                    names[w], perImage[w], cpuPerImage[w]);
        }
        System.out.printf("BENCH gemm load %s%n", BenchmarkSupport.loadAverage());
    }

    private static float[] randoms(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat() - 0.5f;
        }
        return x;
    }
}

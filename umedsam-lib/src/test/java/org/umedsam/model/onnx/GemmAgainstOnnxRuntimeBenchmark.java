package org.umedsam.model.onnx;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.BenchmarkSupport;
import org.umedsam.model.cpu.Gemm;
import org.umedsam.model.cpu.GemmShapesBenchmark;

import java.util.Map;
import java.util.Random;

/**
 * Where the image encoder's gap to ONNX Runtime comes from: the matrix products alone. For the products the
 * CPU engine runs most (LiteMedSAM's encoder spends about 60% of its wall time in {@link Gemm}, profiled with
 * JFR on the calling thread), times the engine's {@link Gemm#multiply} (ND4J's sgemm, with its staging copies,
 * operands on the Java heap) against ONNX Runtime running a one-node {@code MatMul} graph with the weight
 * as an initializer (MLAS, which pre-packs it; input and output copied as {@link OrtModel} does), at the same
 * thread count, interleaved, on the shapes of {@link GemmShapesBenchmark#ENCODER_SHAPES}. Prints per shape
 * the median seconds, the GMAC/s of each and their ratio, and the totals over the list weighted by how often
 * the LiteMedSAM encoder runs each shape per image. Prints only.
 *
 * <p>Run on a quiet machine:
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=GemmAgainstOnnxRuntimeBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class GemmAgainstOnnxRuntimeBenchmark {

    @Test
    void matMulAgainstOnnxRuntime() throws Exception {
        int threads = Integer.getInteger("bench.threads", 2);
        int runs = Integer.getInteger("bench.runs", 9);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        System.out.printf("BENCH gemm-vs-ort: %d threads each, %d rounds; load average at start: %s%n", threads, runs,
                BenchmarkSupport.loadAverage());
        double engineTotal = 0;
        double ortTotal = 0;
        double macTotal = 0;
        Random random = new Random(3);
        for (int[] s : GemmShapesBenchmark.ENCODER_SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] a = randoms(random, m * k);
            float[] w = randoms(random, n * k); // [n, k], a Linear's layout
            float[] c = new float[m * n];
            float[] wkn = new float[k * n];
            for (int o = 0; o < n; o++) {
                for (int i = 0; i < k; i++) {
                    wkn[i * n + o] = w[o * k + i];
                }
            }
            OnnxGraph g = new OnnxGraph("matmul");
            g.input("x", (long) m, (long) k);
            g.output(g.named(g.matMul("x", g.floats("w", wkn, k, n)), "y"), (long) m, (long) n);
            try (OrtModel ort = new OrtModel(g.model("one MatMul").toByteArray(), threads, true)) {
                Map<String, OrtModel.Input> in = Map.of("x", new OrtModel.Input(a, m, k));
                double[][] t = OnnxRuntimeBenchmark.interleaved(2, 0, runs,
                        () -> {
                            Gemm.multiply(a, 0, m, k, w, 0, n, true, c, 0);
                            return null;
                        },
                        () -> ort.run(in));
                double engine = BenchmarkSupport.median(t[0]);
                double onnx = BenchmarkSupport.median(t[1]);
                double mac = (double) m * k * n;
                System.out.printf("BENCH gemm-vs-ort %5d x %4d x %4d (x%2d per image): engine %.5f s (%3.0f GMAC/s), "
                                + "ONNX Runtime %.5f s (%3.0f GMAC/s), engine / ONNX Runtime = %.2f%n", m, k, n, s[3], engine,
                        mac / engine / 1e9, onnx, mac / onnx / 1e9, engine / onnx);
                engineTotal += engine * s[3];
                ortTotal += onnx * s[3];
                macTotal += mac * s[3];
            }
        }
        System.out.printf("BENCH gemm-vs-ort per image (%.1f GMAC): engine %.3f s, ONNX Runtime %.3f s, engine / ONNX Runtime"
                        + " = %.2f; load average at end: %s%n", macTotal / 1e9, engineTotal, ortTotal, engineTotal / ortTotal,
                BenchmarkSupport.loadAverage());
    }

    private static float[] randoms(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        return x;
    }
}

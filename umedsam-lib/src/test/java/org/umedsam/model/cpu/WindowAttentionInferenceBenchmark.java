package org.umedsam.model.cpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.umedsam.BenchmarkSupport;

/**
 * The inference window attention against the training kernel on liteMedSAM's three TinyViT stage shapes,
 * interleaved in one process (a change in machine load falls on both): median wall and process CPU seconds
 * per image-sized call. Prints only; no timed assertions.
 */
@Tag("benchmark")
class WindowAttentionInferenceBenchmark {

    static final int RUNS = 7;

    @Test
    void stageShapes() {
        System.out.printf("BENCH window attention, load average at start: %s%n", BenchmarkSupport.loadAverage());
        // side, ws, heads, headDim of stages 1, 2, 3
        int[][] shapes = {{128, 7, 4, 32}, {64, 14, 5, 32}, {64, 7, 10, 32}};
        for (int[] s : shapes) {
            int side = s[0];
            int ws = s[1];
            int heads = s[2];
            int d = s[3];
            WindowAttentionGradientTest.Case k = WindowAttentionGradientTest.Case.random(side, ws, heads, d, 5L);
            WindowAttentionKernel kernel = new WindowAttentionKernel(heads, d, ws, k.biases());
            WindowAttentionInference fast = new WindowAttentionInference(heads, d, ws, k.biases());
            float[] out = new float[side * side * k.dim()];
            Runnable[] contenders = {() -> kernel.apply(k.qkv(), side, out), () -> fast.apply(k.qkv(), side, out)};
            for (int w = 0; w < 3; w++) {
                for (Runnable r : contenders) {
                    r.run();
                }
            }
            double[][] wall = new double[2][RUNS];
            double[][] cpu = new double[2][RUNS];
            for (int r = 0; r < RUNS; r++) {
                for (int i = 0; i < 2; i++) {
                    int c = (r + i) % 2;
                    long c0 = BenchmarkSupport.processCpuNanos();
                    long t0 = System.nanoTime();
                    contenders[c].run();
                    wall[c][r] = (System.nanoTime() - t0) / 1e9;
                    cpu[c][r] = (BenchmarkSupport.processCpuNanos() - c0) / 1e9;
                }
            }
            System.out.printf("BENCH window attention side %d ws %d heads %d: training kernel median %.4f s (CPU %.4f s), "
                            + "inference kernel median %.4f s (CPU %.4f s)%n", side, ws, heads,
                    BenchmarkSupport.median(wall[0]), BenchmarkSupport.median(cpu[0]),
                    BenchmarkSupport.median(wall[1]), BenchmarkSupport.median(cpu[1]));
        }
        System.out.printf("BENCH window attention, load average at end: %s%n", BenchmarkSupport.loadAverage());
    }
}

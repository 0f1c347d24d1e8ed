package org.umedsam.model.cpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.umedsam.BenchmarkSupport;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ForkJoinPool;

/**
 * The inference window attention against the training kernel on liteMedSAM's three TinyViT stage shapes,
 * interleaved in one process (a change in machine load falls on both), each call on a one-thread pool so that
 * its thread's CPU time, which machine load barely changes, measures it: median CPU seconds per image-sized
 * call. Prints only; no timed assertions.
 */
@Tag("benchmark")
class WindowAttentionInferenceBenchmark {

    static final int RUNS = 11;

    @Test
    void stageShapes() throws Exception {
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
            double[][] cpu = new double[contenders.length][RUNS];
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            ForkJoinPool one = new ForkJoinPool(1);
            try {
                for (int r = 0; r < RUNS; r++) {
                    for (int i = 0; i < contenders.length; i++) {
                        int c = (r + i) % contenders.length;
                        cpu[c][r] = one.submit(() -> {
                            long c0 = threads.getCurrentThreadCpuTime();
                            contenders[c].run();
                            return (threads.getCurrentThreadCpuTime() - c0) / 1e9;
                        }).get();
                    }
                }
            } finally {
                one.shutdown();
            }
            System.out.printf("BENCH window attention side %d ws %d heads %d, one thread: training kernel median %.4f "
                            + "CPU s, inference kernel median %.4f CPU s%n", side, ws, heads,
                    BenchmarkSupport.median(cpu[0]), BenchmarkSupport.median(cpu[1]));
        }
        System.out.printf("BENCH window attention, load average at end: %s%n", BenchmarkSupport.loadAverage());
    }
}

package org.umedsam.model.cpu;

import org.umedsam.BenchmarkSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Prints median times of the training-mode BatchNorm and depthwise 3x3 backward kernels at LiteMedSAM's sizes,
 * next to the forward they differentiate. Run with
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=EncoderKernelGradientBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class EncoderKernelGradientBenchmark {

    @Test
    void kernelSpeed() throws Exception {
        int reps = Integer.getInteger("bench.reps", 9);
        Random rnd = new Random(1);
        System.out.printf("BENCH load average at start: %s%n", BenchmarkSupport.loadAverage());

        // BatchNorm chw, C=256, HW=65536, B=2 (the patch embedding's second conv at 256x256)
        int c = 256;
        int hw = 65536;
        float[][] x = BatchNormTrainingTest.randBatch(rnd, 2, c * hw, 0.5f, 2f);
        float[][] y = new float[2][c * hw];
        float[][] dy = BatchNormTrainingTest.randBatch(rnd, 2, c * hw, 0f, 1f);
        float[][] dx = new float[2][c * hw];
        float[] gamma = KernelTestSupport.rand(rnd, c);
        float[] beta = KernelTestSupport.rand(rnd, c);
        float[] dg = new float[c];
        float[] db = new float[c];
        BatchNormTraining.Statistics[] s = new BatchNormTraining.Statistics[1];
        double[] stats = BenchmarkSupport.sortedSeconds(2, reps, () -> s[0] = BatchNormTraining.statisticsChw(x, c, hw, 1e-5));
        double[] norm = BenchmarkSupport.sortedSeconds(2, reps, () -> BatchNormTraining.normalizeChw(x, c, hw, s[0], gamma, beta, true, y));
        double[] back = BenchmarkSupport.sortedSeconds(2, reps, () -> BatchNormTraining.backwardChw(x, c, hw, s[0], gamma, beta, true, dy, dx, dg, db));
        double[] backPlain = BenchmarkSupport.sortedSeconds(2, reps, () -> BatchNormTraining.backwardChw(x, c, hw, s[0], gamma, beta, false, dy, dx, dg, db));
        System.out.printf("BENCH BN chw C=256 HW=65536 B=2: statistics %.1f ms, normalize+GELU %.1f ms, backward+GELU %.1f ms "
                + "(without GELU %.1f ms)%n", ms(stats), ms(norm), ms(back), ms(backPlain));
        float[][] xt = {new float[c * hw], new float[c * hw]};
        float[][] yt = {new float[c * hw], new float[c * hw]};
        double[] statsT = BenchmarkSupport.sortedSeconds(2, reps, () -> s[0] = BatchNormTraining.statisticsHwc(xt, hw, c, 1e-5));
        double[] normT = BenchmarkSupport.sortedSeconds(2, reps, () -> BatchNormTraining.normalizeHwc(xt, hw, c, s[0], gamma, beta, true, yt));
        double[] backT = BenchmarkSupport.sortedSeconds(2, reps, () -> BatchNormTraining.backwardHwc(xt, hw, c, s[0], gamma, beta, true, dy, dx, dg, db));
        System.out.printf("BENCH BN hwc HW=65536 C=256 B=2: statistics %.1f ms, normalize+GELU %.1f ms, backward+GELU %.1f ms%n",
                ms(statsT), ms(normT), ms(backT));

        hwcCase(rnd, reps, 128, 256, 2);
        hwcCase(rnd, reps, 160, 64, 1);
        hwcCase(rnd, reps, 320, 64, 2);
        System.out.printf("BENCH common pool parallelism %d (+ caller); load average at end: %s%n",
                java.util.concurrent.ForkJoinPool.commonPool().getParallelism(), BenchmarkSupport.loadAverage());
    }

    private static void hwcCase(Random rnd, int reps, int c, int side, int stride) {
        int out = DepthwiseConv3x3.outputSide(side, stride);
        float[] x = KernelTestSupport.rand(rnd, side * side * c);
        float[] dy = KernelTestSupport.rand(rnd, out * out * c);
        float[] y = new float[out * out * c];
        float[] dx = new float[x.length];
        float[] w = KernelTestSupport.rand(rnd, c * 9);
        float[] taps = DepthwiseConv3x3GradientTest.tapMajor(w, c);
        float[] zero = new float[c];
        float[] dw = new float[c * 9];
        double[] fwd = BenchmarkSupport.sortedSeconds(2, reps * 2, () -> DepthwiseConv3x3.hwc(x, y, side, c, stride, taps, zero, false));
        double[] bwd = BenchmarkSupport.sortedSeconds(2, reps * 2, () -> DepthwiseConv3x3Gradient.hwc(x, dy, side, c, stride, w, dx, dw));
        System.out.printf("BENCH depthwise hwc C=%d side %d stride %d: forward %.2f ms, backward (dx + dW) %.2f ms%n",
                c, side, stride, ms(fwd), ms(bwd));
    }

    private static double ms(double[] sorted) {
        return 1e3 * sorted[sorted.length / 2];
    }
}

package org.umedsam.model.cpu;

import org.umedsam.BenchmarkSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Prints seconds per call of {@link WindowAttentionKernel#apply} and {@link WindowAttentionGradient#backward}
 * for one image at LiteMedSAM's window-attention sizes (stage 2: side 64, dim 160, 5 heads, ws 14; stage 1:
 * side 128, dim 128, 4 heads, ws 7; headDim 32), with the load average. Run with
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=WindowAttentionGradientBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class WindowAttentionGradientBenchmark {

    @Test
    void forwardVersusBackward() throws Exception {
        int reps = Integer.getInteger("bench.reps", 9);
        int[][] shapes = {{64, 160, 5, 14}, {128, 128, 4, 7}};
        for (int[] sh : shapes) {
            int side = sh[0];
            int heads = sh[2];
            int d = sh[1] / heads;
            int ws = sh[3];
            WindowAttentionGradientTest.Case k = WindowAttentionGradientTest.Case.random(side, ws, heads, d, 1L);
            WindowAttentionKernel fwd = new WindowAttentionKernel(heads, d, ws, k.biases());
            WindowAttentionGradient bwd = new WindowAttentionGradient(heads, d, ws, k.biases());
            float[] out = new float[side * side * heads * d];
            float[] dQkv = new float[k.qkv().length];
            float[] dB = new float[k.biases().length];
            System.out.printf("BENCH side %d dim %d heads %d ws %d load average before: %s%n",
                    side, heads * d, heads, ws, BenchmarkSupport.loadAverage());
            for (int i = 0; i < 20; i++) { // warm-up (JIT)
                fwd.apply(k.qkv(), side, out);
                bwd.backward(k.qkv(), side, k.dOut(), dQkv, dB);
            }
            double[] f = BenchmarkSupport.sortedSeconds(0, reps, () -> fwd.apply(k.qkv(), side, out));
            double[] b = BenchmarkSupport.sortedSeconds(0, reps, () -> bwd.backward(k.qkv(), side, k.dOut(), dQkv, dB));
            System.out.printf("BENCH side %d dim %d heads %d ws %d: forward median of %d %.5f s (min %.5f), "
                            + "backward %.5f s (min %.5f), ratio %.2f%n",
                    side, heads * d, heads, ws, reps, f[reps / 2], f[0], b[reps / 2], b[0], b[reps / 2] / f[reps / 2]);
            System.out.printf("BENCH load average after: %s%n", BenchmarkSupport.loadAverage());
        }
    }
}

package org.umedsam.model.cpu;

import org.umedsam.BenchmarkSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Speed of the CPU engine's full-model training pass at batch 2, 256 x 256 ({@link LiteMedSamTraining}):
 * median seconds of the weight snapshot, the training-mode forward pass with its tape, and the backward pass
 * to every parameter, over 3 runs after one warm-up, and the process' peak RSS. The runs share one
 * {@link TapeArena} and give their tape back during the backward pass, as a trainer's steps do (without it, a
 * pass allocates about 7 GB of fresh maps and the collector's work is timed with it). Preset from
 * {@code -Dbench.preset=litemedsam|small} (default litemedsam). Prints only.
 */
@Tag("benchmark")
class CpuTrainingBenchmark {

    @Test
    void forwardAndBackward() throws Exception {
        String preset = System.getProperty("bench.preset", "litemedsam");
        ModelConfig c = ModelConfig.named(preset);
        LiteMedSam model = LiteMedSam.create(c, 1);
        Map<String, INDArray> state = model.stateDict();
        Set<String> all = model.parameters().keySet();
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 256, 256);
        INDArray boxes = Nd4j.createFromArray(new float[][]{{30, 40, 150, 160}, {10, 20, 200, 220}});
        INDArray gl = Nd4j.randn(DataType.FLOAT, 2, 1, 256, 256).muli(1e-3);
        INDArray gi = Nd4j.randn(DataType.FLOAT, 2, 1);
        System.out.printf("BENCH training pass, preset %s, batch 2; load average at start %s%n", preset,
                BenchmarkSupport.loadAverage());
        int runs = 3;
        // the heap one pass holds (its tape and outputs), from a pass on fresh arrays: used heap after a
        // collection, with and without it
        LiteMedSamTraining.Pass probe = LiteMedSamTraining.of(c, state).forward(images, boxes, true);
        long tapeBytes = usedAfterGc();
        probe = null;
        tapeBytes -= usedAfterGc();
        // timed as a trainer runs its steps: one arena for the run, single-use passes that give their tape back
        TapeArena arena = new TapeArena();
        double[] of = new double[runs];
        double[] fwd = new double[runs];
        double[] bwd = new double[runs];
        for (int r = -1; r < runs; r++) { // run -1 fills the arena
            long t0 = System.nanoTime();
            LiteMedSamTraining t = LiteMedSamTraining.of(c, state, arena);
            long t1 = System.nanoTime();
            LiteMedSamTraining.Pass p = t.forward(images, boxes, true).releasingTape();
            long t2 = System.nanoTime();
            t.backward(p, gl, gi, all);
            long t3 = System.nanoTime();
            if (r >= 0) {
                of[r] = (t1 - t0) / 1e9;
                fwd[r] = (t2 - t1) / 1e9;
                bwd[r] = (t3 - t2) / 1e9;
            }
        }
        System.out.printf("BENCH snapshot %.3f s, forward with tape %.2f s, backward %.2f s (medians of %d; runs: fwd %s bwd %s)%n",
                BenchmarkSupport.median(of), BenchmarkSupport.median(fwd), BenchmarkSupport.median(bwd), runs, Arrays.toString(fwd), Arrays.toString(bwd));
        System.out.printf("BENCH heap held by one pass (tape): %.2f GB; the arena holds %.2f GB between passes%n",
                tapeBytes / 1e9, arena.pooledBytes() / 1e9);
        System.out.printf("BENCH peak RSS (VmHWM) %s, heap max %d MB, load average at end %s%n",
                "VmHWM " + BenchmarkSupport.procStatus("VmHWM"), Runtime.getRuntime().maxMemory() >> 20, BenchmarkSupport.loadAverage());
    }

    static long usedAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}

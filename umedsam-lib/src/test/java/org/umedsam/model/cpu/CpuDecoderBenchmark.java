package org.umedsam.model.cpu;

import org.umedsam.BenchmarkSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Prints the CPU prompt encoder + mask decoder's median seconds per box for the full-size LiteMedSAM
 * (1 box per call, and 10 boxes per call), the time of {@link MaskDecoder#of}, thread counts and
 * peak RSS; then the inference schedule against the tape path's schedule ({@link MaskDecoder#decodeReference}),
 * interleaved in this process, as median wall and process CPU seconds per box. Run with
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=CpuDecoderBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class CpuDecoderBenchmark {

    @Test
    void decoderSpeed() throws Exception {
        Path pth = MaskDecoderParityTest.DIR.resolve("litemedsam_perturbed.pth");
        LiteMedSam model = Files.isRegularFile(pth) ? LiteMedSam.fromPth(pth) : LiteMedSam.create(ModelConfig.liteMedSam(), 1L);
        Map<String, INDArray> state = model.stateDict();
        int reps = Integer.getInteger("bench.reps", 15);
        double[] ofTimes = new double[5];
        MaskDecoder last = null;
        for (int i = 0; i < ofTimes.length; i++) {
            long t0 = System.nanoTime();
            last = MaskDecoder.of(model.config(), state);
            ofTimes[i] = (System.nanoTime() - t0) / 1e9;
        }
        MaskDecoder dec = last;
        Nd4j.getRandom().setSeed(5L);
        INDArray emb = Nd4j.randn(DataType.FLOAT, 1, 256, 64, 64);
        INDArray one = Nd4j.createFromArray(new float[][]{{40, 50, 180, 200}});
        INDArray ten = Nd4j.rand(DataType.FLOAT, 10, 4).muli(100);
        ten.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4)).addi(120);

        long t0 = System.nanoTime();
        dec.decode(emb, one, false);
        double first = (System.nanoTime() - t0) / 1e9;
        double warmupSeconds = Double.parseDouble(System.getProperty("bench.warmupSeconds", "5"));
        int warmups = BenchmarkSupport.warmUp(5, warmupSeconds, () -> dec.decode(emb, one, false),
                () -> dec.decode(emb, one, true), () -> dec.decode(emb, ten, false));
        double[] single = BenchmarkSupport.sortedSeconds(0, reps, () -> dec.decode(emb, one, false));
        double[] multi = BenchmarkSupport.sortedSeconds(0, reps, () -> dec.decode(emb, one, true));
        double[] batch = BenchmarkSupport.sortedSeconds(0, Math.max(3, reps / 3), () -> dec.decode(emb, ten, false));

        Arrays.sort(ofTimes);
        System.out.printf("BENCH MaskDecoder.of: slowest %.1f ms, median of %d %.1f ms%n", 1e3 * ofTimes[ofTimes.length - 1],
                ofTimes.length, 1e3 * ofTimes[ofTimes.length / 2]);
        System.out.printf("BENCH first decode (cold JIT, dense PE) %.3f s; then %d warm-up rounds (1 box, multimask, 10 boxes; "
                + "at least %.0f s, -Dbench.warmupSeconds)%n", first, warmups, warmupSeconds);
        System.out.printf("BENCH 1 box, single mask: median of %d %.4f s per box (min %.4f)%n", reps, single[reps / 2], single[0]);
        System.out.printf("BENCH 1 box, multimask:   median of %d %.4f s per box (min %.4f)%n", reps, multi[reps / 2], multi[0]);
        System.out.printf("BENCH 10 boxes per call, single mask: median %.4f s per box (min %.4f)%n",
                batch[batch.length / 2] / 10, batch[0] / 10);
        System.out.printf("BENCH threads: common pool parallelism %d (+ caller), BLAS threads %d; peak RSS (VmHWM) %s%n",
                java.util.concurrent.ForkJoinPool.commonPool().getParallelism(), Nd4j.factory().blas().getMaxThreads(), BenchmarkSupport.procStatus("VmHWM"));
        BenchmarkSupport.warmUp(3, warmupSeconds / 2, () -> dec.decodeReference(emb, one, false)); // its own JIT warm-up
        int pairs = Integer.getInteger("bench.pairs", Math.max(3, reps / 2));
        double[][] wall = new double[4][pairs];
        double[][] cpu = new double[4][pairs];
        for (int i = 0; i < pairs; i++) {
            int slot = 0;
            for (INDArray boxes : new INDArray[]{one, ten}) {
                for (boolean reference : new boolean[]{false, true}) {
                    long w0 = System.nanoTime();
                    long c0 = BenchmarkSupport.processCpuNanos();
                    if (reference) {
                        dec.decodeReference(emb, boxes, false);
                    } else {
                        dec.decode(emb, boxes, false);
                    }
                    double n = boxes.size(0);
                    cpu[slot][i] = (BenchmarkSupport.processCpuNanos() - c0) / 1e9 / n;
                    wall[slot][i] = (System.nanoTime() - w0) / 1e9 / n;
                    slot++;
                }
            }
        }
        String[] names = {"1 box per call, inference schedule", "1 box per call, tape-path schedule",
                "10 boxes per call, inference schedule", "10 boxes per call, tape-path schedule"};
        for (int k = 0; k < 4; k++) {
            System.out.printf("BENCH interleaved %-38s median of %d: wall %.4f s (min %.4f), process CPU %.4f s (min %.4f) per box%n",
                    names[k], pairs, BenchmarkSupport.median(wall[k]), Arrays.stream(wall[k]).min().orElseThrow(),
                    BenchmarkSupport.median(cpu[k]), Arrays.stream(cpu[k]).min().orElseThrow());
        }
        System.out.printf("BENCH load average at end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    }
}

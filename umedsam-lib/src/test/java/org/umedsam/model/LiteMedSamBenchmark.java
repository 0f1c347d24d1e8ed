package org.umedsam.model;

import org.umedsam.model.samediff.SameDiffEngine;
import org.umedsam.BenchmarkSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Prints encoder seconds, decoder seconds per box (batch 1), peak RSS, thread counts and a per-op
 * profile for the full-size LiteMedSAM. Run with
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=LiteMedSamBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 * Figures on a shared machine are contended: compare runs only side by side.
 */
@Tag("benchmark")
class LiteMedSamBenchmark {

    @Test
    void inferenceSpeed() throws Exception {
        Path pth = LiteMedSamParityTest.DIR.resolve("litemedsam_perturbed.pth");
        LiteMedSam model = Files.isRegularFile(pth) ? LiteMedSam.fromPth(pth) : LiteMedSam.create(ModelConfig.liteMedSam(), 1L);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256);
        INDArray box = Nd4j.createFromArray(new float[][]{{40, 50, 180, 200}});
        int reps = Integer.getInteger("bench.reps", 3);

        long t0 = System.nanoTime();
        INDArray emb = model.embed(image);
        double firstEncoder = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        model.decode(emb, box, false);
        double firstDecoder = (System.nanoTime() - t0) / 1e9;

        double[] enc = new double[reps];
        for (int i = 0; i < reps; i++) {
            t0 = System.nanoTime();
            emb = model.embed(image);
            enc[i] = (System.nanoTime() - t0) / 1e9;
        }
        int boxes = 10;
        double[] dec = new double[boxes];
        for (int i = 0; i < boxes; i++) {
            INDArray b = Nd4j.createFromArray(new float[][]{{10 + i, 20, 150 + i, 200}});
            t0 = System.nanoTime();
            model.decode(emb, b, false);
            dec[i] = (System.nanoTime() - t0) / 1e9;
        }
        INDArray many = Nd4j.rand(DataType.FLOAT, boxes, 4).muli(100);
        many.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4)).addi(120);
        t0 = System.nanoTime();
        model.decode(emb, many, false);
        double batched = (System.nanoTime() - t0) / 1e9;

        OpProfiler prof = new OpProfiler();
        ((SameDiffEngine) model.reference()).setListeners(prof);
        model.embed(image);
        String encProfile = prof.report(15);
        prof.reset();
        model.decode(emb, box, false);
        String decProfile = prof.report(10);
        ((SameDiffEngine) model.reference()).setListeners();

        Arrays.sort(enc);
        Arrays.sort(dec);
        System.out.printf("BENCH encoder forward, batch 1: first call (graph build) %.3f s; median of %d %.3f s (min %.3f)%n",
                firstEncoder, reps, enc[reps / 2], enc[0]);
        System.out.printf("BENCH prompt encoder + mask decoder, 1 box: first call %.3f s; median of %d %.3f s (min %.3f)%n",
                firstDecoder, boxes, dec[boxes / 2], dec[0]);
        System.out.printf("BENCH %d boxes in one decode call: %.3f s (%.3f s per box)%n", boxes, batched, batched / boxes);
        System.out.printf("BENCH peak RSS (VmHWM) %s; process threads %s; ND4J OpenMP threads %d; BLAS threads %d%n",
                BenchmarkSupport.procStatus("VmHWM"), BenchmarkSupport.procStatus("Threads"), Nd4j.getEnvironment().maxMasterThreads(),
                Nd4j.factory().blas().getMaxThreads());
        System.out.println("BENCH encoder per-op profile (listener wall time, includes listener overhead):\n" + encProfile);
        System.out.println("BENCH decoder per-op profile:\n" + decProfile);
        System.out.printf("BENCH load average at end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Per-call cost of the tiny double-precision test model: separates SameDiff's fixed per-op overhead from compute. */
    @Test
    void perCallOverheadOnTinyModel() throws Exception {
        LiteMedSam m = LiteMedSam.create(LiteMedSamTrainingTest.tiny(), 1L, DataType.DOUBLE);
        INDArray img = Nd4j.rand(DataType.DOUBLE, 2, 3, 32, 32);
        INDArray box = Nd4j.createFromArray(new double[][]{{3, 4, 20, 25}, {10, 2, 30, 14}});
        for (String mode : new String[]{"train", "eval"}) {
            boolean train = mode.equals("train");
            m.forward(img, box, train);
            OpProfiler prof = new OpProfiler();
            ((SameDiffEngine) m.reference()).setListeners(prof);
            m.forward(img, box, train);
            String p = prof.report(8);
            ((SameDiffEngine) m.reference()).setListeners();
            long t0 = System.nanoTime();
            int reps = 5;
            for (int i = 0; i < reps; i++) {
                m.forward(img, box, train);
            }
            System.out.printf("BENCH tiny model forward(%s), batch 2: %.3f s per call%n%s", mode, (System.nanoTime() - t0) / 1e9 / reps, p);
        }
        INDArray emb = m.embed(img);
        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            m.forwardFromEmbedding(emb, box);
        }
        System.out.printf("BENCH tiny model forwardFromEmbedding: %.3f s per call%n", (System.nanoTime() - t0) / 1e9 / 5);
        System.out.printf("BENCH load average: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    }
}

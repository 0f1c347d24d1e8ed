package org.umedsam.infer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.data.Case;
import org.umedsam.data.ImageU8;

/**
 * Prints inference seconds for cases shaped like U-MedSAM's Table 4 (paper, their CPU, with
 * container start: 5.4 s, 6.4 s, 73.5 s) with synthetic content, on 2 threads; and the cost of the
 * parts (model load, one embedding, one decode). The machine is shared by several agents, so the
 * figures are contended. Run with
 * {@code mvn -pl umedsam-lib test -Dtest=InferBenchmarkTest -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class InferBenchmarkTest {
    static final Path CHECKPOINT = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity",
            "litemedsam_perturbed.pth");

    static byte[] noise(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static int[][] boxes2d(int count, int h, int w, long seed) {
        Random r = new Random(seed);
        int[][] out = new int[count][];
        for (int i = 0; i < count; i++) {
            int x0 = r.nextInt(w / 2);
            int y0 = r.nextInt(h / 2);
            out[i] = new int[] {x0, y0, x0 + 10 + r.nextInt(w / 2 - 10), y0 + 10 + r.nextInt(h / 2 - 10)};
        }
        return out;
    }

    @Test
    void tableFourShapes() throws Exception {
        assumeTrue(Files.isRegularFile(CHECKPOINT), "parity checkpoint absent");
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.getEnvironment().setMaxMasterThreads(2);
        long t0 = System.nanoTime();
        Predictor p = Predictor.of(Predictor.loadModel(CHECKPOINT));
        System.out.printf("model load (.pth): %.2f s%n", (System.nanoTime() - t0) / 1e9);
        ImageU8 img = new ImageU8(256, 256, 3, noise(256 * 256 * 3, 1));
        for (int i = 0; i < 3; i++) {
            long a = System.nanoTime();
            SliceSegmenter.Embedded e = p.embed(img);
            long b = System.nanoTime();
            e.decode(new double[][] {{10, 10, 100, 100}});
            long c = System.nanoTime();
            e.decode(new double[][] {{10, 10, 100, 100}, {50, 50, 200, 200}, {0, 0, 255, 255}, {30, 40, 90, 120}});
            long d = System.nanoTime();
            System.out.printf("run %d: embed %.2f s, decode 1 box %.2f s, decode 4 boxes %.2f s%n", i + 1,
                    (b - a) / 1e9, (c - b) / 1e9, (d - c) / 1e9);
        }
        CaseInference inf = new CaseInference(p, 64);
        Case small = new Case("2DBox_US_bench1", "US", false, true, new int[] {256, 256, 3}, noise(256 * 256 * 3, 2),
                null, boxes2d(1, 256, 256, 3), null);
        Case large = new Case("2DBox_Endoscopy_bench2", "Endoscopy", false, true, new int[] {1536, 2040, 3},
                noise(1536 * 2040 * 3, 4), null, boxes2d(19, 1536, 2040, 5), null);
        Random r = new Random(6);
        int[][] b3 = new int[6][];
        for (int i = 0; i < 6; i++) {
            int z0 = r.nextInt(40);
            int x0 = r.nextInt(160);
            int y0 = r.nextInt(145);
            b3[i] = new int[] {x0, y0, z0, x0 + 30 + r.nextInt(120), y0 + 30 + r.nextInt(110), z0 + 5 + r.nextInt(19)};
        }
        Case volume = new Case("3DBox_CT_bench3", "CT", true, true, new int[] {64, 290, 320}, noise(64 * 290 * 320, 7),
                null, b3, new double[] {2.5, 0.8, 0.8});
        for (Case c : new Case[] {small, large, volume}) {
            long a = System.nanoTime();
            CaseInference.Output o = inf.predict(c);
            double sec = (System.nanoTime() - a) / 1e9;
            System.out.printf("Table 4 shape %s %s, %d boxes: %.2f s (%d embeddings, %d decodes; 2 threads, machine "
                    + "shared, contended; model already loaded)%n", c.name(), java.util.Arrays.toString(c.shape()),
                    o.boxes(), sec, o.embeddings(), o.decodes());
        }
    }
}

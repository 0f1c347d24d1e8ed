package org.umedsam.infer;

import java.util.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.data.Case;
import org.umedsam.io.LabelArray;

/**
 * The cases the inference benchmarks ({@link InferBenchmarkTest}, {@link InferOverheadBenchmarkTest}) time: the
 * paper's three Table 4 shapes (a 256x256 image with one box, a 1536x2040 image with 19 boxes, a 64x290x320 CT
 * volume with six 3D boxes) with synthetic content (noise voxels, random boxes from fixed seeds), and the two ND4J
 * threads both time with.
 */
final class Table4Cases {
    private Table4Cases() {
    }

    /** Two ND4J threads, as the paper's Table 4 machine budget. */
    static void useTwoThreads() {
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.getEnvironment().setMaxMasterThreads(2);
    }

    /** {@code n} random bytes from {@code seed}. */
    static byte[] noise(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** {@code count} random boxes {@code [x0, y0, x1, y1]} of at least 10 pixels inside {@code h x w}. */
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

    /** Table 4's small 2D case: 256x256 RGB, one box. */
    static Case image256x256OneBox() {
        return new Case("2DBox_US_bench1", "US", false, true, new int[] {256, 256, 3}, noise(256 * 256 * 3, 2),
                (LabelArray) null, boxes2d(1, 256, 256, 3), null);
    }

    /** Table 4's large 2D case: 1536x2040 RGB, 19 boxes. */
    static Case image1536x2040With19Boxes() {
        return new Case("2DBox_Endoscopy_bench2", "Endoscopy", false, true, new int[] {1536, 2040, 3},
                noise(1536 * 2040 * 3, 4), (LabelArray) null, boxes2d(19, 1536, 2040, 5), null);
    }

    /** Table 4's 3D case: a 64x290x320 CT volume, six 3D boxes of 5 to 23 slices. */
    static Case volume64x290x320() {
        Random r = new Random(6);
        int[][] b3 = new int[6][];
        for (int i = 0; i < 6; i++) {
            int z0 = r.nextInt(40);
            int x0 = r.nextInt(160);
            int y0 = r.nextInt(145);
            b3[i] = new int[] {x0, y0, z0, x0 + 30 + r.nextInt(120), y0 + 30 + r.nextInt(110), z0 + 5 + r.nextInt(19)};
        }
        return new Case("3DBox_CT_bench3", "CT", true, true, new int[] {64, 290, 320}, noise(64 * 290 * 320, 7),
                (LabelArray) null, b3, new double[] {2.5, 0.8, 0.8});
    }
}

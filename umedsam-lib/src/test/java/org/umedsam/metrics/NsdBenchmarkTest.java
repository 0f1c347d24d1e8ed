package org.umedsam.metrics;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints the seconds to score a CT-sized case (287x512x512, 6 classes, spacing 0.8x0.8x2.5 mm
 * stored as (2.5, 0.8, 0.8)) with the challenge's DSC + NSD, on 2 threads. Synthetic content: six
 * ellipsoids of organ-like sizes; the prediction moves and resizes each a little, so every class
 * has a DSC around 0.8-0.9 and NSD is computed. Run with
 * {@code mvn -pl umedsam-lib test -Dtest=NsdBenchmarkTest -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class NsdBenchmarkTest {

    @Test
    void nsdOnACtSizedCase() throws Exception {
        int[] shape = {287, 512, 512};
        int n = shape[0] * shape[1] * shape[2];
        byte[] gts = new byte[n];
        byte[] segs = new byte[n];
        Random rnd = new Random(7);
        // centre (z, y, x) and radii in voxels
        int[][] organs = {
                {140, 260, 180, 60, 110, 90}, // liver-like
                {150, 250, 340, 40, 60, 45},  // spleen-like
                {120, 300, 150, 25, 40, 30},  // kidney-like
                {120, 300, 370, 25, 40, 30},  // kidney-like
                {180, 230, 260, 15, 25, 60},  // pancreas-like
                {100, 200, 256, 80, 15, 15},  // aorta-like
        };
        for (int c = 0; c < organs.length; c++) {
            int[] o = organs[c];
            paint(gts, shape, (byte) (c + 1), o[0], o[1], o[2], o[3], o[4], o[5]);
            paint(segs, shape, (byte) (c + 1), o[0] + rnd.nextInt(5) - 2, o[1] + rnd.nextInt(7) - 3,
                    o[2] + rnd.nextInt(7) - 3, o[3] + rnd.nextInt(5) - 2, o[4] + rnd.nextInt(7) - 3,
                    o[5] + rnd.nextInt(7) - 3);
        }
        double[] spacing = {2.5, 0.8, 0.8};
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                CaseScore s = pool.submit(() -> CaseScore.evaluate("3DBox_CT_synthetic_bench.npz", gts, segs, shape,
                        spacing, ScoreConfig.defaults())).get();
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("NSD benchmark 287x512x512, 6 classes, 2 threads (machine shared, contended): "
                        + "%.2f s (run %d); DSC %.4f NSD %.4f%n", sec, rep + 1, s.dsc(), s.nsd());
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void paint(byte[] v, int[] shape, byte label, int cz, int cy, int cx, int rz, int ry, int rx) {
        for (int z = Math.max(0, cz - rz); z <= Math.min(shape[0] - 1, cz + rz); z++) {
            for (int y = Math.max(0, cy - ry); y <= Math.min(shape[1] - 1, cy + ry); y++) {
                for (int x = Math.max(0, cx - rx); x <= Math.min(shape[2] - 1, cx + rx); x++) {
                    double dz = (z - cz) / (double) rz;
                    double dy = (y - cy) / (double) ry;
                    double dx = (x - cx) / (double) rx;
                    if (dz * dz + dy * dy + dx * dx <= 1.0) {
                        v[(z * shape[1] + y) * shape[2] + x] = label;
                    }
                }
            }
        }
    }
}

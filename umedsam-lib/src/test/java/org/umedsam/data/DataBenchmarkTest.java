package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Prints timings (no assertions on time). Run with
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=DataBenchmarkTest -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class DataBenchmarkTest {
    @Test
    void readsLargeCompressedInt16Case(@TempDir Path dir) throws IOException {
        int d = 287;
        int h = 512;
        int w = 512;
        short[] img = new short[d * h * w];
        byte[] gts = new byte[d * h * w];
        Random r = new Random(1);
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (z * h + y) * w + x;
                    double body = Math.hypot(y - 256, x - 256) < 200 ? 1 : 0;
                    img[i] = (short) Math.min(255, Math.max(0, body * (100 + 40 * Math.sin(x * 0.05 + z * 0.1)) + r.nextInt(8)));
                    gts[i] = (byte) (Math.hypot(y - 200, x - 300) < 40 && z > 100 && z < 180 ? 1 : 0);
                }
            }
        }
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofInt16(img, d, h, w));
        m.put("gts", NpyArray.ofUint8(gts, d, h, w));
        m.put("spacing", NpyArray.ofFloat64(new double[] {1, 0.8, 0.8}, 3));
        Path f = dir.resolve("3DBox_CT_9999.npz");
        long t0 = System.nanoTime();
        Npz.write(f, m, true);
        System.out.printf("write 287x512x512 int16+uint8 compressed: %.2f s, %.1f MB on disk%n",
                (System.nanoTime() - t0) / 1e9, Files.size(f) / 1e6);
        img = null;
        gts = null;
        m = null;
        for (int rep = 0; rep < 3; rep++) {
            long t1 = System.nanoTime();
            NpyArray a = Npz.read(f, "imgs");
            double raw = (System.nanoTime() - t1) / 1e9;
            long t2 = System.nanoTime();
            Case c = CaseReader.read(f);
            double full = (System.nanoTime() - t2) / 1e9;
            System.out.printf("run %d: Npz.read(imgs int16) %.2f s (%s); CaseReader.read (imgs+gts+spacing, validated) %.2f s%n",
                    rep, raw, a, full);
            if (c.depth() != d) {
                throw new AssertionError("wrong depth");
            }
        }
    }

    @Test
    void buildsDefaultDataset(@TempDir Path root) throws IOException {
        long t0 = System.nanoTime();
        if (RealBrainCases.available(RealBrainCases.TEMPLATES)) {
            int n = RealBrainCases.build(RealBrainCases.TEMPLATES, Profile.defaults()).size();
            System.out.printf("real cases only (read + cut, no writing): %d cases, %.2f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
        long t1 = System.nanoTime();
        int n = SyntheticModalities.generateAll(Profile.defaults().syntheticPerModality()).size();
        System.out.printf("synthetic cases only (no writing): %d cases, %.2f s%n", n, (System.nanoTime() - t1) / 1e9);
        DatasetManifest m = DefaultDatasets.ensure(root, Profile.defaults());
        System.out.printf("DefaultDatasets.ensure(default): %d cases, %.2f s (build %.2f s)%n", m.cases().size(),
                (System.nanoTime() - t1) / 1e9, m.buildSeconds());
        long t2 = System.nanoTime();
        DefaultDatasets.ensure(root, Profile.defaults());
        System.out.printf("second ensure (reuse): %.3f s%n", (System.nanoTime() - t2) / 1e9);
    }
}

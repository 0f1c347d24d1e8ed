package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Builds run folders ({@code <configuration>-s<seed>/}) with steps.csv, config.json, run.json and a
 * scores.csv whose scores are {@code base + effect(configuration) + noise}, for report tests.
 */
final class SyntheticRuns {
    private SyntheticRuns() {
    }

    /**
     * @param casesPerModality modality -> number of test cases
     * @param effects          configuration -> added score (fraction)
     * @param noise            sd of the per-(case, seed) noise
     */
    static void write(Path dir, Map<String, Integer> casesPerModality, Map<String, Double> effects, int seeds,
                      double noise, long rngSeed) throws IOException {
        Random rng = new Random(rngSeed);
        for (Map.Entry<String, Double> e : effects.entrySet()) {
            for (int s = 0; s < seeds; s++) {
                Path run = dir.resolve(e.getKey() + "-s" + s);
                Files.createDirectories(run);
                Files.writeString(run.resolve("steps.csv"), "step,loss_total\n1,0.5\n");
                StringBuilder csv = new StringBuilder("case,modality,dsc,nsd\n");
                for (Map.Entry<String, Integer> m : casesPerModality.entrySet()) {
                    for (int c = 0; c < m.getValue(); c++) {
                        // each case has its own difficulty, shared by every configuration and seed
                        double base = 0.5 + 0.3 * Math.sin(c * 1.7 + m.getKey().length());
                        double dsc = clamp(base + e.getValue() + noise * rng.nextGaussian());
                        double nsd = clamp(base + 0.05 + e.getValue() + noise * rng.nextGaussian());
                        csv.append(String.format(Locale.ROOT, "%s_%02d,%s,%.6f,%.6f%n", m.getKey(), c, m.getKey(), dsc, nsd));
                    }
                }
                Files.writeString(run.resolve(RunFiles.SCORES), csv.toString());
            }
        }
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}

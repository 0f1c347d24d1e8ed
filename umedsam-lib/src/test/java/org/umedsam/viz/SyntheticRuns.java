package org.umedsam.viz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.umedsam.report.QualitativeExample;
import org.umedsam.report.RunFiles;

/**
 * Writes a synthetic ablation runs folder ({@code <configuration>-s<seed>/} with steps.csv,
 * epochs.csv, config.json, scores.csv, timings.csv, examples/ and landscape/) for rendering tests:
 * four configurations, several seeds, three modalities, one modality scored zero by baseline.
 */
final class SyntheticRuns {
    static final List<String> CONFIGS = List.of("baseline", "only-sd", "no-sam", "full");
    static final List<String> MODALITIES = List.of("ct", "mr", "us");
    static final int STEPS = 150;
    static final int CASES_PER_MODALITY = 3;

    private SyntheticRuns() {
    }

    static Path write(Path dir, List<String> configs, int seeds, int epochs) throws IOException {
        for (String config : configs) {
            for (int seed = 0; seed < seeds; seed++) {
                run(dir.resolve(config + "-s" + seed), config, seed, epochs);
            }
        }
        return dir;
    }

    private static void run(Path run, String config, int seed, int epochs) throws IOException {
        Files.createDirectories(run);
        Random rnd = new Random(31L * config.hashCode() + seed);
        boolean sd = config.equals("only-sd") || config.equals("full");
        boolean sigma = config.equals("no-sam") || config.equals("full");
        List<String> terms = sd ? List.of("dice", "bce", "iou", "sd") : List.of("dice", "bce", "iou");
        StringBuilder steps = new StringBuilder("step,epoch,lr,grad_norm,loss_total");
        terms.forEach(t -> steps.append(",loss_").append(t));
        if (sigma) {
            terms.forEach(t -> steps.append(",sigma_").append(t));
        }
        steps.append(",seconds\n");
        double[] level = {0.5, 0.1, 0.03, 0.8};
        for (int s = 1; s <= STEPS; s++) {
            double decay = Math.exp(-s / 60.0);
            double[] l = new double[terms.size()];
            double total = 0;
            for (int i = 0; i < l.length; i++) {
                l[i] = level[i] * (0.6 + 0.4 * decay) * (1 + 0.3 * rnd.nextGaussian() * 0.5);
                l[i] = Math.max(1e-4, l[i]);
                total += 0.5 * l[i];
            }
            steps.append(String.format(Locale.ROOT, "%d,%d,5e-5,%.3f,%.6f", s, (s - 1) * epochs / STEPS,
                    1 + rnd.nextDouble(), total));
            for (double v : l) {
                steps.append(String.format(Locale.ROOT, ",%.6f", v));
            }
            if (sigma) {
                for (int i = 0; i < l.length; i++) {
                    steps.append(String.format(Locale.ROOT, ",%.8f", 1 - 0.00005 * s * (i + 1)));
                }
            }
            steps.append(",0.5\n");
        }
        Files.writeString(run.resolve("steps.csv"), steps);
        StringBuilder ep = new StringBuilder("epoch,train_loss,val_loss,val_dsc,lr,seconds\n");
        for (int e = 0; e < epochs; e++) {
            ep.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,5e-5,10\n", e, 0.6 - 0.05 * e, 0.5 - 0.03 * e,
                    0.6 + 0.05 * e + 0.01 * seed));
        }
        Files.writeString(run.resolve("epochs.csv"), ep);
        Files.writeString(run.resolve("config.json"), "{\"name\": \"" + config + "-s" + seed
                + "\", \"seed\": " + seed + ", \"uncertaintyForm\": \"paper\"}\n");
        StringBuilder scores = new StringBuilder("case,modality,dsc,nsd\n");
        StringBuilder timings = new StringBuilder("case,modality,size,objects,seconds\n");
        StringBuilder index = new StringBuilder("case,modality,dsc,file\n");
        Path ex = run.resolve(RunFiles.EXAMPLES_DIR);
        Files.createDirectories(ex);
        int k = 0;
        for (String m : MODALITIES) {
            for (int c = 0; c < CASES_PER_MODALITY; c++) {
                String id = m + "_case" + c;
                double base = 0.3 + 0.2 * c + 0.05 * CONFIGS.indexOf(config);
                double dsc = m.equals("us") && config.equals("baseline") ? 0 : Math.min(1, base + 0.03 * rnd.nextGaussian());
                scores.append(String.format(Locale.ROOT, "%s,%s,%.4f,%.4f\n", id, m, dsc, Math.min(1, dsc + 0.05)));
                String size = m.equals("ct") ? (20 + 10 * c) + "×128×128" : (100 + 40 * c) + "×" + (120 + 30 * c);
                timings.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.3f\n", id, m, size, 1 + c,
                        (m.equals("ct") ? 8 : 1) * (1 + c) * (1 + 0.1 * rnd.nextGaussian())));
                Overlay.Example e = FigureRenderTest.disk(96 + 8 * k, 80, 0.6 - dsc * 0.6);
                QualitativeExample q = new QualitativeExample(id, m, dsc, e.pixels(), 1, e.height(), e.width(), e.truth(),
                        e.prediction(), e.box());
                q.write(ex.resolve(id + ".npz"));
                index.append(String.format(Locale.ROOT, "%s,%s,%.4f,%s.npz\n", id, m, dsc, id));
                k++;
            }
        }
        Files.writeString(run.resolve(RunFiles.SCORES), scores);
        Files.writeString(run.resolve(RunFiles.TIMINGS), timings);
        Files.writeString(ex.resolve(RunFiles.EXAMPLES_INDEX), index);
        Path land = run.resolve(RunFiles.LANDSCAPE_DIR);
        Files.createDirectories(land);
        StringBuilder line = new StringBuilder("alpha,loss\n");
        StringBuilder surface = new StringBuilder("alpha,beta,loss\n");
        for (int i = 0; i <= 14; i++) {
            double a = -1 + i / 7.0;
            line.append(String.format(Locale.ROOT, "%s,%.5f\n", a, 0.4 + a * a));
            for (int j = 0; j <= 14; j++) {
                double b = -1 + j / 7.0;
                surface.append(String.format(Locale.ROOT, "%s,%s,%.5f\n", a, b, 0.4 + a * a + 0.5 * b * b));
            }
        }
        Files.writeString(land.resolve(RunFiles.line(0)), line);
        Files.writeString(land.resolve(RunFiles.surface(0)), surface);
        Files.writeString(land.resolve(RunFiles.SHARPNESS), "{\"rho\": 0.05, \"loss\": 0.4, \"randomIncrease\": 0.01,"
                + " \"ascentIncrease\": 0.05, \"sharpness\": 0.05}\n");
    }
}

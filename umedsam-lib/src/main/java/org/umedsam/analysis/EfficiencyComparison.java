package org.umedsam.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.infer.CaseInference;
import org.umedsam.infer.Predictor;
import org.umedsam.metrics.CaseName;
import org.umedsam.report.EfficiencyTable;
import org.umedsam.report.Table4;
import org.umedsam.io.AtomicFiles;
import org.umedsam.train.TrainingSetup;

/**
 * Running time of two trained runs (the paper's Table 4 compares LiteMedSAM, our {@code baseline},
 * with U-MedSAM, our {@code full}) measured interleaved, so that a change in the machine's load
 * during the measurement falls on both alike: for every repeat and case, both models predict the
 * same case one after the other, the first alternating between them from case to case and repeat
 * to repeat. Each model first predicts the first case once untimed (class loading, JIT, native
 * buffers). Time per prediction is the wall time of {@link CaseInference#predict}, as in
 * {@link TestSetEvaluation}; cases are read from disk before the clock starts.
 *
 * <p>Writes {@value EfficiencyTable#FILE} (columns in {@link EfficiencyTable}), which
 * {@link EfficiencyTable} summarises as mean ± sd over repeats.
 */
public final class EfficiencyComparison {
    /** Repeats by default: three give an sd; more cost a full pass over the cases each. */
    public static final int DEFAULT_REPEATS = 3;

    /** One timed prediction. */
    public record Timing(String caseName, String modality, String size, int objects, String configuration, int repeat,
                         int position, double seconds) {
    }

    private EfficiencyComparison() {
    }

    /**
     * Loads the last checkpoints of two run folders and times them on {@code testFiles}.
     *
     * @param runs      run folders (e.g. {@code baseline-s0}, {@code full-s0}), each with config.json and
     *                  checkpoint/last.ckpt
     * @param names     configuration names for the records, one per run
     * @param testFiles cases to predict (each needs box prompts)
     * @param repeats   passes over the cases
     * @param out       the CSV file to write
     * @return the timings written
     */
    public static List<Timing> run(List<Path> runs, List<String> names, List<Path> testFiles, int repeats, Path out,
                                   PrintStream log) throws IOException {
        if (runs.size() != names.size() || runs.isEmpty()) {
            throw new IllegalArgumentException("efficiency comparison: " + runs.size() + " runs but " + names.size()
                    + " names");
        }
        List<Function<Case, CaseInference.Output>> predictors = new ArrayList<>();
        for (Path r : runs) {
            CaseInference inference = new CaseInference(Predictor.of(TrainingSetup.trained(r).model()), 64);
            predictors.add(inference::predict);
        }
        List<Timing> t = time(names, predictors, testFiles, repeats, log);
        write(t, out);
        return t;
    }

    /**
     * {@code cases} of {@code testFiles} to time, spread evenly over the 2D and over the 3D cases (told apart by the
     * challenge's file-name prefix, {@link CaseName}), each class taking a share in proportion to its size but at
     * least a third of {@code cases} and at least two (one when {@code cases} is below 4) where it has them, so that
     * Table 4's row for a size class rests on several cases. An even spread over the whole split picked one 3D case of
     * 22 among 8 of 151; the proportional share, two of 8 or 12.
     * Returned in the order of {@code testFiles}; all of them when {@code cases} is 0 or at least their number.
     */
    public static List<Path> spread(List<Path> testFiles, int cases) {
        if (cases < 0) {
            throw new IllegalArgumentException("efficiency comparison: cases must be at least 0, got " + cases);
        }
        int all = testFiles.size();
        if (cases == 0 || cases >= all) {
            return List.copyOf(testFiles);
        }
        List<Integer> images = new ArrayList<>();
        List<Integer> volumes = new ArrayList<>();
        for (int i = 0; i < all; i++) {
            (CaseName.parse(testFiles.get(i).getFileName().toString()).threeD() ? volumes : images).add(i);
        }
        int least = cases >= 4 ? Math.max(2, cases / 3) : 1;
        int nVolumes = (int) Math.round((double) cases * volumes.size() / all);
        nVolumes = Math.max(nVolumes, Math.min(least, volumes.size()));
        nVolumes = Math.min(nVolumes, cases - Math.min(least, images.size()));
        nVolumes = Math.max(Math.min(nVolumes, volumes.size()), cases - images.size());
        List<Integer> picked = new ArrayList<>(evenly(images, cases - nVolumes));
        picked.addAll(evenly(volumes, nVolumes));
        java.util.Collections.sort(picked);
        List<Path> out = new ArrayList<>();
        for (int i : picked) {
            out.add(testFiles.get(i));
        }
        return out;
    }

    /** {@code n} of {@code from}, evenly spaced from its first. */
    private static List<Integer> evenly(List<Integer> from, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(from.get((int) ((long) i * from.size() / n)));
        }
        return out;
    }

    /**
     * The measurement itself, for any predictors: {@code repeats x cases x predictors} timings.
     * Case {@code i} of repeat {@code r} starts with predictor {@code (i + r) mod k} and goes round.
     *
     * @throws IOException naming the file when a case cannot be read or predicted
     */
    public static List<Timing> time(List<String> names, List<Function<Case, CaseInference.Output>> predictors,
                                    List<Path> testFiles, int repeats, PrintStream log) throws IOException {
        if (repeats < 1) {
            throw new IllegalArgumentException("efficiency comparison: repeats must be at least 1, got " + repeats);
        }
        if (testFiles.isEmpty()) {
            throw new IllegalArgumentException("efficiency comparison: no test cases");
        }
        int k = predictors.size();
        Case first = CaseReader.read(testFiles.get(0));
        for (int j = 0; j < k; j++) {
            predict(predictors.get(j), first, testFiles.get(0)); // warm-up, untimed
        }
        List<Timing> out = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < testFiles.size(); i++) {
                Path f = testFiles.get(i);
                Case c = CaseReader.read(f);
                for (int p = 0; p < k; p++) {
                    int j = (i + r + p) % k;
                    System.gc(); // the previous prediction's garbage is collected outside the clock
                    long t0 = System.nanoTime();
                    CaseInference.Output o = predict(predictors.get(j), c, f);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    out.add(new Timing(c.name(), c.modality(), Table4.size(o.shape()), c.labels().length, names.get(j), r,
                            p, seconds));
                    log.printf(Locale.ROOT, "  repeat %d  %-40s %-10s %.3f s%n", r, c.name(), names.get(j), seconds);
                }
            }
        }
        return out;
    }

    /** Writes the timings as {@value EfficiencyTable#FILE}-style CSV. */
    public static void write(List<Timing> timings, Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", EfficiencyTable.COLUMNS)).append('\n');
        for (Timing t : timings) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%s,%d,%d,%.6f%n", t.caseName(), t.modality(), t.size(),
                    t.objects(), t.configuration(), t.repeat(), t.position(), t.seconds()));
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static CaseInference.Output predict(Function<Case, CaseInference.Output> p, Case c, Path f)
            throws IOException {
        try {
            return p.apply(c);
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }
}

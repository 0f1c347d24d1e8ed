package org.umedsam.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.data.ImageU8;
import org.umedsam.data.Preprocess;
import org.umedsam.infer.CaseInference;
import org.umedsam.model.EmbeddingCache;
import org.umedsam.infer.Predictor;
import org.umedsam.io.LabelArray;
import org.umedsam.metrics.CaseScore;
import org.umedsam.metrics.ScoreConfig;
import org.umedsam.model.LiteMedSam;
import org.umedsam.report.QualitativeExample;
import org.umedsam.report.RunFiles;
import org.umedsam.report.Table4;
import org.umedsam.io.AtomicFiles;

/**
 * Scores a trained model on test cases the challenge's way (box prompts from the case file, 2D
 * inference or 3D propagation, DSC and NSD per case) and writes into a run folder
 * {@value RunFiles#SCORES}, {@value RunFiles#TIMINGS} and qualitative examples
 * ({@link RunFiles}).
 *
 * <p>Running time per case is the wall time of {@link CaseInference#predict} (preprocessing,
 * embeddings, decoding, post-processing; not reading the file or scoring), on this machine as
 * loaded at the time. With an {@link EmbeddingCache} shared across models, a case's time excludes the
 * embeddings it found there; {@value RunFiles#TIMINGS} then counts them in {@code cached_embeddings}, and such
 * times are not the model's: efficiency comparisons time without a cache.
 */
public final class TestSetEvaluation {
    /** Longer side of a stored qualitative example (the figure shows them at about 200 pixels). */
    static final int EXAMPLE_SIDE = 256;

    private final ScoreConfig scoreConfig;
    private final PrintStream log;
    private final EmbeddingCache cache;

    public TestSetEvaluation(ScoreConfig scoreConfig, PrintStream log) {
        this(scoreConfig, log, null);
    }

    /** @param cache embeddings shared across the models this evaluates (null: none) */
    public TestSetEvaluation(ScoreConfig scoreConfig, PrintStream log, EmbeddingCache cache) {
        this.scoreConfig = scoreConfig;
        this.log = log;
        this.cache = cache;
    }

    /**
     * Evaluates {@code model} on {@code testFiles} and writes the records into {@code runDir}.
     *
     * @param examplesPerModality how many examples per modality to keep (0: none), chosen evenly
     *                            over the modality's cases in file order
     * @return mean DSC over the cases (NaN cases skipped)
     */
    public double evaluate(LiteMedSam model, List<Path> testFiles, Path runDir, int examplesPerModality)
            throws IOException {
        CaseInference inference = new CaseInference(new Predictor(model, Preprocess.defaults(), cache), 64);
        StringBuilder scores = new StringBuilder("case,modality,dsc,nsd\n");
        StringBuilder timings = new StringBuilder("case,modality,size,objects,seconds,cached_embeddings\n");
        Map<String, List<QualitativeExample>> examples = new LinkedHashMap<>();
        double dscSum = 0;
        int dscCount = 0;
        for (Path f : testFiles) {
            Case c = CaseReader.read(f);
            if (!c.hasGts()) {
                throw new IOException(f + ": test case has no 'gts' to score against");
            }
            long hits0 = cache == null ? 0 : cache.hits();
            long t0 = System.nanoTime();
            CaseInference.Output out;
            try {
                out = inference.predict(c);
            } catch (IllegalArgumentException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            CaseScore s = CaseScore.evaluate(f.getFileName().toString(), c.gts(), out.segs(), out.shape(), c.spacing(),
                    scoreConfig);
            scores.append(String.format(Locale.ROOT, "%s,%s,%s,%s%n", c.name(), c.modality(), s.dsc(), s.nsd()));
            timings.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.4f,%d%n", c.name(), c.modality(),
                    Table4.size(out.shape()), c.labels().length, seconds, cache == null ? 0 : cache.hits() - hits0));
            if (!Double.isNaN(s.dsc())) {
                dscSum += s.dsc();
                dscCount++;
            }
            examples.computeIfAbsent(c.modality(), k -> new ArrayList<>()).add(example(c, out.segs(), s.dsc()));
            log.printf(Locale.ROOT, "  %-40s %-10s DSC %.4f NSD %.4f  %.2f s%n", c.name(), c.modality(), s.dsc(),
                    s.nsd(), seconds);
        }
        AtomicFiles.writeString(runDir.resolve(RunFiles.SCORES), scores.toString());
        AtomicFiles.writeString(runDir.resolve(RunFiles.TIMINGS), timings.toString());
        if (examplesPerModality > 0) {
            writeExamples(runDir.resolve(RunFiles.EXAMPLES_DIR), examples, examplesPerModality);
        }
        return dscCount == 0 ? Double.NaN : dscSum / dscCount;
    }

    private static void writeExamples(Path dir, Map<String, List<QualitativeExample>> byModality, int perModality)
            throws IOException {
        Files.createDirectories(dir);
        StringBuilder index = new StringBuilder("case,modality,dsc,file\n");
        for (List<QualitativeExample> list : byModality.values()) {
            // keep the best and the worst first, then others: the figure shows best and worst
            List<QualitativeExample> sorted = new ArrayList<>(list);
            sorted.sort(java.util.Comparator.comparingDouble(e -> Double.isNaN(e.dsc()) ? -1 : e.dsc()));
            List<QualitativeExample> keep = new ArrayList<>();
            if (!sorted.isEmpty()) {
                keep.add(sorted.get(sorted.size() - 1));
                if (sorted.size() > 1 && perModality > 1) {
                    keep.add(sorted.get(0));
                }
                for (int i = 1; i < sorted.size() - 1 && keep.size() < perModality; i++) {
                    keep.add(sorted.get(i));
                }
            }
            for (QualitativeExample e : keep) {
                String file = e.caseId() + ".npz";
                e.write(dir.resolve(file));
                index.append(String.format(Locale.ROOT, "%s,%s,%s,%s%n", e.caseId(), e.modality(),
                        Double.isNaN(e.dsc()) ? "" : Double.toString(e.dsc()), file));
            }
        }
        AtomicFiles.writeString(dir.resolve(RunFiles.EXAMPLES_INDEX), index.toString());
    }

    /**
     * The case's most informative slice (2D: the image; 3D: the slice with most foreground) with
     * every object on it: truth and prediction as label maps (each object drawn with its own
     * contour) and the tight box of the largest object, down-sampled to at most
     * {@value #EXAMPLE_SIDE} pixels.
     */
    static QualitativeExample example(Case c, LabelArray segs, double dsc) {
        int h = c.height();
        int w = c.width();
        int plane = h * w;
        int z = 0;
        if (c.threeD()) {
            int best = -1;
            for (int s = 0; s < c.depth(); s++) {
                int n = 0;
                for (int i = 0; i < plane; i++) {
                    if (c.gts().get(s * plane + i) != 0) {
                        n++;
                    }
                }
                if (n > best) {
                    best = n;
                    z = s;
                }
            }
        }
        int[] area = new int[c.gts().isWide() ? LabelArray.MAX_LABEL + 1 : 256];
        for (int i = 0; i < plane; i++) {
            area[c.gts().get(z * plane + i)]++;
        }
        int label = 1;
        for (int l = 1; l < area.length; l++) {
            if (area[l] > area[label]) {
                label = l;
            }
        }
        ImageU8 img = c.slice(z);
        double scale = Math.min(1.0, (double) EXAMPLE_SIDE / Math.max(h, w));
        int oh = Math.max(1, (int) Math.round(h * scale));
        int ow = Math.max(1, (int) Math.round(w * scale));
        int ch = img.channels();
        float[] pixels = new float[ch * oh * ow];
        byte[] truth = new byte[oh * ow];
        byte[] pred = new byte[oh * ow];
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < oh; y++) {
            int sy = Math.min(h - 1, (int) (y / scale));
            for (int x = 0; x < ow; x++) {
                int sx = Math.min(w - 1, (int) (x / scale));
                for (int k = 0; k < ch; k++) {
                    pixels[k * oh * ow + y * ow + x] = img.get(sy, sx, k);
                }
                int src = z * plane + sy * w + sx;
                truth[y * ow + x] = byteLabel(c.gts().get(src));
                pred[y * ow + x] = byteLabel(segs.get(src));
                if (c.gts().get(src) == label) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        double[] box = x1 < 0 ? new double[] {0, 0, 0, 0} : new double[] {x0, y0, x1, y1};
        return QualitativeExample.ofLabels(c.name(), c.modality(), dsc, pixels, ch, oh, ow, truth, pred, box);
    }

    /** A label for the example's byte label map: 0 stays 0, labels above 255 wrap into 1..255 (outlines only). */
    private static byte byteLabel(int label) {
        return (byte) (label == 0 ? 0 : (label - 1) % 255 + 1);
    }
}

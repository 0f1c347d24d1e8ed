package org.umedsam.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.umedsam.data.BoxPrompts;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.data.ImageU8;
import org.umedsam.data.Modalities;
import org.umedsam.data.NearestResize;
import org.umedsam.data.PreparedImage;
import org.umedsam.data.Preprocess;
import org.umedsam.io.LabelArray;
import org.umedsam.report.Table3;
import org.knowm.xchart.XYChart;
import org.umedsam.viz.FigureWriter;
import org.umedsam.viz.IntensityHistogram;
import org.umedsam.viz.Overlay;
import org.umedsam.viz.PreprocessingFigure;

/**
 * One case per modality before and after LiteMedSAM preprocessing, as inputs to
 * {@link PreprocessingFigure} and the intensity histograms: the stored 8-bit slice with the tight
 * box of its largest label, and the 256 x 256 network input with that box mapped to the model
 * frame (as the challenge's inference maps it) and the label resized with nearest neighbours.
 */
public final class PreprocessingExamples {
    /**
     * One modality's example.
     *
     * @param pair   before/after panels for the figure
     * @param raw    the stored intensities of the slice (0..255)
     * @param input  the network input inside the resized area (padding excluded), in [0, 1]
     */
    public record Example(String modality, PreprocessingFigure.Pair pair, float[] raw, float[] input) {
    }

    private PreprocessingExamples() {
    }

    /** The before/after grid: {@code 01-preprocessing.png}. */
    public static java.awt.image.BufferedImage figure(List<Example> examples, Path out, FigureWriter writer)
            throws IOException {
        java.awt.image.BufferedImage img = PreprocessingFigure.of(examples.stream().map(Example::pair).toList(), 180, 3);
        writer.write(img, out, "01-preprocessing");
        return img;
    }

    /** Each histogram is of one case, not of its modality: the titles say so. */
    static final String ONE_CASE_EACH = " (one case per modality)";

    /**
     * Intensity histograms of every modality's example: the stored 8-bit values
     * ({@code 01-histogram-stored}) or the network input inside the resized area
     * ({@code 01-histogram-input}); logarithmic percent axis, since dark background dominates.
     */
    public static XYChart histogram(List<Example> examples, boolean input, Path out, FigureWriter writer)
            throws IOException {
        Map<String, float[]> series = new LinkedHashMap<>();
        for (Example e : examples) {
            series.put(e.modality(), input ? e.input() : e.raw());
        }
        XYChart c = input
                ? IntensityHistogram.of("Network input after preprocessing" + ONE_CASE_EACH, "normalised intensity (0 to 1)", series,
                        32, 0, 1, true)
                : IntensityHistogram.of("Stored intensities before preprocessing" + ONE_CASE_EACH, "stored 8-bit intensity (0 to 255)",
                        series, 32, 0, 256, true);
        writer.write(c, out, input ? "01-histogram-input" : "01-histogram-stored");
        return c;
    }

    /** The first case of each modality among {@code files} (file order), in the challenge's modality order. */
    public static List<Example> firstPerModality(List<Path> files) throws IOException {
        Map<String, Path> first = new LinkedHashMap<>();
        for (Path f : files) {
            first.putIfAbsent(Modalities.of(f), f);
        }
        List<Example> out = new ArrayList<>();
        for (String m : org.umedsam.report.Ordering.modalities(first.keySet())) {
            out.add(of(CaseReader.read(first.get(m))));
        }
        return out;
    }

    /** One case's example (its slice with the most labelled pixels; its largest label there). */
    public static Example of(Case c) {
        int h = c.height();
        int w = c.width();
        int plane = h * w;
        int z = 0;
        if (c.threeD() && c.hasGts()) {
            int best = -1;
            for (int s = 0; s < c.depth(); s++) {
                int n = 0;
                for (int i = 0; i < plane; i++) {
                    n += c.gts().get(s * plane + i) != 0 ? 1 : 0;
                }
                if (n > best) {
                    best = n;
                    z = s;
                }
            }
        }
        ImageU8 img = c.slice(z);
        LabelArray labels = c.hasGts() ? c.gtSlice(z) : LabelArray.zeros(plane);
        int[] area = new int[labels.isWide() ? LabelArray.MAX_LABEL + 1 : 256];
        for (int i = 0; i < plane; i++) {
            area[labels.get(i)]++;
        }
        int label = 1;
        for (int l = 1; l < area.length; l++) {
            if (area[l] > area[label]) {
                label = l;
            }
        }
        byte[] mask = new byte[plane];
        boolean[] truth = new boolean[plane];
        for (int i = 0; i < plane; i++) {
            truth[i] = labels.get(i) == label && area[label] > 0;
            mask[i] = (byte) (truth[i] ? 1 : 0);
        }
        int[] tight = BoxPrompts.tightBox(mask, h, w);
        double[] box = tight == null ? null : new double[] {tight[0], tight[1], tight[2], tight[3]};

        float[] raw = new float[img.channels() * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < img.channels(); k++) {
                    raw[k * plane + y * w + x] = img.get(y, x, k);
                }
            }
        }
        Overlay.Example before = new Overlay.Example(raw, img.channels(), h, w, truth, null, box);

        Preprocess pre = Preprocess.defaults();
        PreparedImage p = pre.prepare(img);
        int side = p.side();
        ImageU8 small = NearestResize.resize(new ImageU8(h, w, 1, mask), p.newH(), p.newW());
        boolean[] truth256 = new boolean[side * side];
        for (int y = 0; y < p.newH(); y++) {
            for (int x = 0; x < p.newW(); x++) {
                truth256[y * side + x] = small.get(y, x, 0) != 0;
            }
        }
        double[] box256 = box == null ? null : pre.box(box, p);
        Overlay.Example after = new Overlay.Example(p.chw(), 3, side, side, truth256, null, box256);

        float[] input = new float[p.newH() * p.newW()];
        for (int y = 0; y < p.newH(); y++) {
            for (int x = 0; x < p.newW(); x++) {
                input[y * p.newW() + x] = p.chw()[y * side + x];
            }
        }
        String name = Table3.displayModality(c.modality());
        return new Example(name, new PreprocessingFigure.Pair(name, before, after), raw, input);
    }
}

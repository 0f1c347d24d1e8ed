package org.umedsam.viz;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.umedsam.report.LandscapeSet;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.report.Ordering;
import org.umedsam.report.QualitativeExample;
import org.umedsam.report.RunRecords;
import org.umedsam.report.RunsDirectory;
import org.umedsam.report.SeedSummary;
import org.umedsam.report.SharpnessSummary;
import org.umedsam.report.Table3;
import org.umedsam.report.Table4;
import org.umedsam.report.TableRenderer;
import tech.tablesaw.api.Table;

/**
 * Every figure and table of the research notebooks, made from a folder of ablation runs and
 * written under fixed names into an output folder, so the notebooks and the {@code figures}
 * command produce the same files. Each method writes its files and returns what it drew (for
 * {@code display(...)} in a notebook).
 *
 * <p>File names start with the number of the notebook that shows them (02 training, 03
 * ablations, 04 sigma trajectories, 05 loss landscape, 06 qualitative, 07 efficiency).
 */
public final class PaperFigures {
    private final RunsDirectory runs;
    private final Path out;
    private final FigureWriter writer;

    public PaperFigures(RunsDirectory runs, Path out, FigureWriter writer) {
        this.runs = runs;
        this.out = out;
        this.writer = writer;
    }

    /** Reads {@code runsDir} and writes into {@code outDir} with {@link FigureWriter#defaults()}. */
    public static PaperFigures of(Path runsDir, Path outDir) throws IOException {
        return new PaperFigures(RunsDirectory.read(runsDir), outDir, FigureWriter.defaults());
    }

    public RunsDirectory runs() {
        return runs;
    }

    // ---- 02 training ----

    /** Per-term losses of the first seed of {@code configuration}: {@code 02-loss-terms-<configuration>}. */
    public XYChart lossTerms(String configuration) throws IOException {
        XYChart c = LossCurves.perTerm(run(configuration));
        writer.write(c, out, "02-loss-terms-" + configuration);
        return c;
    }

    /** Per-epoch loss and validation DSC: {@code 02-epochs-<configuration>}. */
    public XYChart epochs(String configuration) throws IOException {
        XYChart c = LossCurves.epochs(run(configuration));
        writer.write(c, out, "02-epochs-" + configuration);
        return c;
    }

    /** The training objective of every run: {@code 02-objective}. */
    public XYChart objective() throws IOException {
        XYChart c = LossCurves.total(runs.runs());
        writer.write(c, out, "02-objective");
        return c;
    }

    // ---- 03 ablations ----

    /** The Table 3 analogue: {@code 03-table3.md/.tex/.csv}. */
    public Table table3() throws IOException {
        Table t = Table3.of(runs.scores());
        TableRenderer.writeAll(t, out, "03-table3",
                "DSC and NSD (%) per modality on the test split, mean ± sd over seeds", "tab:ablation");
        return t;
    }

    /** Grouped bars of one metric: {@code 03-dsc-per-modality} or {@code 03-nsd-per-modality}. */
    public CategoryChart modalityBars(ModalityBars.Metric metric) throws IOException {
        CategoryChart c = ModalityBars.of(SeedSummary.cells(runs.scores()), metric);
        writer.write(c, out, "03-" + metric.name().toLowerCase(java.util.Locale.ROOT) + "-per-modality");
        return c;
    }

    // ---- 04 sigma trajectories ----

    /** {@code 04-sigma}. */
    public XYChart sigmas() throws IOException {
        XYChart c = SigmaTrajectories.sigmas(runs.runs());
        writer.write(c, out, "04-sigma");
        return c;
    }

    /** {@code 04-effective-weights}. */
    public XYChart effectiveWeights() throws IOException {
        XYChart c = SigmaTrajectories.effectiveWeights(runs.runs());
        writer.write(c, out, "04-effective-weights");
        return c;
    }

    // ---- 05 loss landscape ----

    /** Label of the common objective landscapes and sharpness are measured on. */
    static final String OBJECTIVE_LABEL = "common objective on fixed batch: Dice + BCE + IoU";

    /** The colour bar's shorter label of the same objective. */
    static final String OBJECTIVE_SHORT = "loss: Dice + BCE + IoU (fixed batch)";

    /** Shared contour levels of the 2D figures. */
    static final int LANDSCAPE_LEVELS = 12;

    /**
     * {@code 05-landscape-1d}: per configuration the mean over seeds (each seed averaged over its
     * direction pairs) with a plus-minus SD band, on the common objective.
     */
    public XYChart landscape1d() throws IOException {
        List<LandscapeSet> sets = runs.landscapes();
        if (sets.stream().allMatch(s -> s.lines().isEmpty())) {
            throw new IOException(runs.dir() + ": no run has a 1D landscape");
        }
        XYChart c = LossLandscapePlot.lines(sets, OBJECTIVE_LABEL);
        writer.write(c, out, "05-landscape-1d");
        return c;
    }

    /**
     * {@code 05-landscape-2d}: one panel per configuration (its first seed, first direction pair), all
     * at the same absolute contour levels with one colour bar.
     */
    public BufferedImage landscape2d() throws IOException {
        Map<String, LandscapeSet> first = new LinkedHashMap<>();
        for (LandscapeSet s : surfaceSets()) {
            first.putIfAbsent(s.configuration(), s);
        }
        List<String> configs = new ArrayList<>(first.keySet());
        LandscapeSurface[][] cells = new LandscapeSurface[1][configs.size()];
        List<String> titles = new ArrayList<>();
        for (int c = 0; c < configs.size(); c++) {
            LandscapeSet s = first.get(configs.get(c));
            cells[0][c] = s.surfaces().get(0);
            titles.add(configs.get(c) + " (seed " + s.seed() + ")");
        }
        BufferedImage img = LandscapePanels.render("2D loss landscapes on one scale (direction pair 1; shared contour "
                + "levels)", titles, List.of(""), cells, levels(cells), OBJECTIVE_SHORT);
        writer.write(img, out, "05-landscape-2d");
        return img;
    }

    /**
     * {@code 05-landscape-2d-all}: every seed and direction pair (rows) of every configuration
     * (columns), all at the same absolute contour levels with one colour bar; the directions of a row
     * are the same random draws in every column.
     */
    public BufferedImage landscape2dAll() throws IOException {
        List<LandscapeSet> sets = surfaceSets();
        List<String> configs = Ordering.configurations(sets.stream().map(LandscapeSet::configuration).toList());
        java.util.TreeMap<Long, java.util.TreeSet<Integer>> rowKeys = new java.util.TreeMap<>();
        for (LandscapeSet s : sets) {
            for (int k = 0; k < s.surfaces().size(); k++) {
                rowKeys.computeIfAbsent(s.seed(), x -> new java.util.TreeSet<>()).add(k);
            }
        }
        List<String> rowTitles = new ArrayList<>();
        List<LandscapeSurface[]> rows = new ArrayList<>();
        for (Map.Entry<Long, java.util.TreeSet<Integer>> e : rowKeys.entrySet()) {
            for (int k : e.getValue()) {
                LandscapeSurface[] row = new LandscapeSurface[configs.size()];
                for (LandscapeSet s : sets) {
                    if (s.seed() == e.getKey() && k < s.surfaces().size()) {
                        row[configs.indexOf(s.configuration())] = s.surfaces().get(k);
                    }
                }
                rows.add(row);
                rowTitles.add("seed " + e.getKey() + ", pair " + (k + 1));
            }
        }
        LandscapeSurface[][] cells = rows.toArray(new LandscapeSurface[0][]);
        BufferedImage img = LandscapePanels.render("2D loss landscapes, every seed and direction pair (shared contour "
                + "levels)", configs, rowTitles, cells, levels(cells), OBJECTIVE_SHORT);
        writer.write(img, out, "05-landscape-2d-all");
        return img;
    }

    private List<LandscapeSet> surfaceSets() throws IOException {
        List<LandscapeSet> sets = runs.landscapes().stream().filter(s -> !s.surfaces().isEmpty()).toList();
        if (sets.isEmpty()) {
            throw new IOException(runs.dir() + ": no run has a 2D landscape");
        }
        return sets;
    }

    private IOException flat() {
        return new IOException(runs.dir() + ": the 2D landscapes are flat (no contour levels)");
    }

    private double[] levels(LandscapeSurface[][] cells) throws IOException {
        double[] lv = LandscapePanels.levels(cells, LANDSCAPE_LEVELS);
        if (lv.length == 0) {
            throw flat();
        }
        return lv;
    }

    /**
     * {@code 05-sharpness.md/.tex/.csv}: per configuration mean and SD over seeds of the sharpness and of
     * the loss at the centre ({@link SharpnessSummary}); the per-seed values go to
     * {@code 05-sharpness-seeds.md/.tex/.csv}.
     */
    public Table sharpness() throws IOException {
        Table perSeed = runs.sharpness();
        if (perSeed == null) {
            throw new IOException(runs.dir() + ": no run has a sharpness estimate");
        }
        TableRenderer.writeAll(perSeed, out, "05-sharpness-seeds",
                "Sharpness per run: largest increase of the common objective (Dice + BCE + IoU) found within an L2 "
                        + "ball of radius rho; loss is the common objective at the weights, run_loss the run's own",
                "tab:sharpness-seeds");
        Table t = SharpnessSummary.of(perSeed);
        TableRenderer.writeAll(t, out, "05-sharpness",
                "Sharpness over seeds (mean and SD, n seeds): largest increase of the common objective (Dice + BCE + "
                        + "IoU) within an L2 ball of radius rho, and the loss at the weights", "tab:sharpness");
        return t;
    }

    // ---- 06 qualitative ----

    /**
     * Best and worst kept example per modality of the first seed of {@code configuration}:
     * {@code 06-qualitative-<configuration>}.
     */
    public BufferedImage qualitative(String configuration) throws IOException {
        RunRecords r = run(configuration);
        List<QualitativeExample> kept = runs.examples().getOrDefault(r.name(), List.of());
        if (kept.isEmpty()) {
            throw new IOException(r.dir() + ": no qualitative examples kept");
        }
        Map<String, List<QualitativeExample>> byModality = new LinkedHashMap<>();
        for (QualitativeExample e : kept) {
            byModality.computeIfAbsent(e.modality(), k -> new ArrayList<>()).add(e);
        }
        List<ImageGrid.Panel> panels = new ArrayList<>();
        for (String m : Ordering.modalities(byModality.keySet())) {
            List<QualitativeExample> list = byModality.get(m);
            // a NaN DSC (a class in neither mask) ranks neither best nor worst, unless nothing else is kept
            List<QualitativeExample> scored = list.stream().filter(e -> !Double.isNaN(e.dsc())).toList();
            if (!scored.isEmpty()) {
                list = scored;
            }
            QualitativeExample best = list.stream().max(Comparator.comparingDouble(QualitativeExample::dsc)).orElseThrow();
            QualitativeExample worst = list.stream().min(Comparator.comparingDouble(QualitativeExample::dsc)).orElseThrow();
            if (worst == best) {
                panels.add(panel(best, "only case"));
            } else {
                panels.add(panel(best, "best"));
                panels.add(panel(worst, "worst"));
            }
        }
        BufferedImage img = ImageGrid.compose("Qualitative results: " + configuration
                + " (best and worst test example per modality)", panels, 6, Overlay.legend());
        writer.write(img, out, "06-qualitative-" + configuration);
        return img;
    }

    private static ImageGrid.Panel panel(QualitativeExample e, String which) {
        Overlay.Example ex = new Overlay.Example(e.image(), e.channels(), e.height(), e.width(), e.truth(),
                e.prediction(), e.box());
        return new ImageGrid.Panel(Overlay.render(ex, 200), String.format(java.util.Locale.ROOT, "%s %s, DSC %.2f",
                Table3.displayModality(e.modality()), which, e.dsc()));
    }

    // ---- 07 efficiency ----

    /** The Table 4 analogue: {@code 07-table4.md/.tex/.csv}. */
    public Table table4() throws IOException {
        Table timings = timings();
        Table t = Table4.of(timings);
        TableRenderer.writeAll(t, out, "07-table4", "Running time per test case (seconds, this machine)", "tab:time");
        return t;
    }

    /** {@code 07-efficiency}. */
    public XYChart efficiency() throws IOException {
        Table timings = timings();
        // one configuration's times (the full method when present): all configurations share the model size
        List<String> configs = Ordering.configurations(timings.stringColumn(Table4.CONFIGURATION).unique().asList());
        String pick = configs.contains("full") ? "full" : configs.get(configs.size() - 1);
        XYChart c = EfficiencyPlot.of(timings.where(timings.stringColumn(Table4.CONFIGURATION).isEqualTo(pick)));
        c.setTitle("Running time per test case (" + pick + ")");
        writer.write(c, out, "07-efficiency");
        return c;
    }

    private Table timings() throws IOException {
        Table t = runs.timings();
        if (t == null) {
            throw new IOException(runs.dir() + ": no run has timings.csv");
        }
        return t;
    }

    // ---- all ----

    /**
     * Writes everything the runs allow; a figure whose inputs are missing is skipped with a line
     * on {@code log} saying why.
     *
     * @return names of the figures and tables written
     */
    public List<String> all(PrintStream log) {
        List<String> done = new ArrayList<>();
        List<String> configs = Ordering.configurations(runs.runs().stream().map(RunRecords::configuration).toList());
        for (String c : configs) {
            attempt(log, done, "02-loss-terms-" + c, () -> lossTerms(c));
            if (run(c).epochs() != null && run(c).epochs().rowCount() > 0) {
                attempt(log, done, "02-epochs-" + c, () -> epochs(c));
            }
        }
        attempt(log, done, "02-objective", this::objective);
        attempt(log, done, "03-table3", this::table3);
        attempt(log, done, "03-dsc-per-modality", () -> modalityBars(ModalityBars.Metric.DSC));
        attempt(log, done, "03-nsd-per-modality", () -> modalityBars(ModalityBars.Metric.NSD));
        attempt(log, done, "04-sigma", this::sigmas);
        attempt(log, done, "04-effective-weights", this::effectiveWeights);
        attempt(log, done, "05-landscape-1d", this::landscape1d);
        attempt(log, done, "05-landscape-2d", this::landscape2d);
        attempt(log, done, "05-landscape-2d-all", this::landscape2dAll);
        attempt(log, done, "05-sharpness", this::sharpness);
        for (String c : configs) {
            attempt(log, done, "06-qualitative-" + c, () -> qualitative(c));
        }
        attempt(log, done, "07-table4", this::table4);
        attempt(log, done, "07-efficiency", this::efficiency);
        return done;
    }

    private interface Figure {
        Object make() throws IOException;
    }

    private static void attempt(PrintStream log, List<String> done, String name, Figure f) {
        try {
            f.make();
            done.add(name);
        } catch (IOException | IllegalArgumentException e) {
            log.println("skipped " + name + ": " + e.getMessage());
        }
    }

    private RunRecords run(String configuration) {
        RunRecords r = runs.first(configuration);
        if (r == null) {
            throw new IllegalArgumentException(runs.dir() + ": no run of configuration '" + configuration + "'");
        }
        return r;
    }
}

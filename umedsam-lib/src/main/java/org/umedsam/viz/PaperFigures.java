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
import org.knowm.xchart.XYChart;
import org.umedsam.report.EfficiencyTable;
import org.umedsam.report.EnvironmentTable;
import org.umedsam.report.LandscapeSet;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.report.Ordering;
import org.umedsam.report.ProtocolTable;
import org.umedsam.report.QualitativeExample;
import org.umedsam.report.RunFiles;
import org.umedsam.report.RunRecords;
import org.umedsam.report.RunsDirectory;
import org.umedsam.report.SeedSummary;
import org.umedsam.report.SharpnessByLengthTable;
import org.umedsam.report.SharpnessSummary;
import org.umedsam.report.Table3;
import org.umedsam.report.Table3Statistics;
import org.umedsam.report.Table4;
import org.umedsam.report.TableRenderer;
import org.umedsam.report.StudiesSideBySide;
import tech.tablesaw.api.Table;

/**
 * Every figure and table of the research notebooks, made from a folder of ablation runs and
 * written under fixed names into an output folder, so the notebooks and the {@code figures}
 * command produce the same files. Each method writes its files and returns what it drew (for
 * {@code display(...)} in a notebook).
 *
 * <p>File names start with the number of the notebook that shows them (02 training, 03
 * ablations, 04 sigma trajectories, 05 loss landscape, 06 qualitative, 07 efficiency).
 *
 * <p>One output folder holds the figures of one runs folder (profile) only: every file goes through
 * {@link #save} and is listed in a {@link FigureManifest}; the first write from another profile
 * deletes the files the manifest lists, and {@link #all} deletes this family's files it did not
 * rewrite. A method added here writes through {@code save(...)} and is called from {@link #all}.
 */
public final class PaperFigures {
    /** How many cases each of the "good" and "challenging" qualitative figures shows. */
    public static final int QUALITATIVE_CASES = 4;
    /** Longer side of a qualitative panel in pixels. */
    static final int PANEL = 300;

    private final RunsDirectory runs;
    private final List<RunsDirectory> longerRuns;
    private final RunsDirectory everyParameterRuns;
    private final Path out;
    private final FigureWriter writer;
    private final FigureManifest manifest;
    private final java.util.Set<String> written = new java.util.TreeSet<>();

    public PaperFigures(RunsDirectory runs, Path out, FigureWriter writer) {
        this(runs, List.of(), out, writer);
    }

    /**
     * @param longerRuns the same study's runs trained longer (the {@code long} profile of {@code full}), for
     *                   {@link #trainingLength()}; may be empty
     */
    public PaperFigures(RunsDirectory runs, List<RunsDirectory> longerRuns, Path out, FigureWriter writer) {
        this(runs, longerRuns, null, out, writer);
    }

    /**
     * @param longerRuns         as above
     * @param everyParameterRuns the same study's runs training every parameter (the {@code full-all} profile of {@code
     *                           full}), for {@link #trainedParameters()}; null when there are none
     */
    public PaperFigures(RunsDirectory runs, List<RunsDirectory> longerRuns, RunsDirectory everyParameterRuns, Path out,
                        FigureWriter writer) {
        this.runs = runs;
        this.everyParameterRuns = everyParameterRuns;
        this.longerRuns = List.copyOf(longerRuns);
        this.out = out;
        this.writer = writer;
        this.manifest = new FigureManifest(out, runs.dir());
    }

    /** Reads {@code runsDir} and writes into {@code outDir} with {@link FigureWriter#defaults()}. */
    public static PaperFigures of(Path runsDir, Path outDir) throws IOException {
        return new PaperFigures(RunsDirectory.read(runsDir), outDir, FigureWriter.defaults());
    }

    public RunsDirectory runs() {
        return runs;
    }

    /** The profile these figures belong to: the runs folder's name. */
    public String profile() {
        return manifest.profile();
    }

    // ---- writing (every file goes through these, so the manifest knows it) ----

    /** Writes a chart as {@code name.png} (and {@code .svg}), records it and returns it. */
    private <C extends org.knowm.xchart.internal.chartpart.Chart<?, ?>> C save(C chart, String name)
            throws IOException {
        manifest.claim();
        if (chart instanceof XYChart xy) {
            ChartStyle.roundXTicks(xy); // idempotent; round ticks even where a chart class forgot them
        }
        record(writer.write(chart, out, name));
        return chart;
    }

    /** Writes an image as {@code name.png} and records it. */
    private void save(BufferedImage image, String name) throws IOException {
        manifest.claim();
        record(List.of(writer.write(image, out, name)));
    }

    /** Writes a table as {@code name.md/.tex/.csv} and records it. */
    private void save(Table table, String name, String caption, String label) throws IOException {
        manifest.claim();
        record(TableRenderer.writeAll(table, out, name, caption, label));
    }

    /**
     * As {@link #save(Table, String, String, String)}, the caption being {@code caption}, a full stop and
     * {@code details} (what the columns mean), shown below the Markdown table too.
     */
    private void save(Table table, String name, String caption, String label, String details) throws IOException {
        manifest.claim();
        record(TableRenderer.writeAllWithCaptionInMarkdown(table, out, name, caption + ". " + details, label));
    }

    private void record(List<Path> files) throws IOException {
        files.forEach(f -> written.add(f.getFileName().toString()));
        manifest.record(files);
    }

    // ---- 00 environment, 02 protocol ----

    /** The Table 1 analogue (this machine and what the runs recorded): {@code 00-table1-environment.md/.tex/.csv}. */
    public Table table1Environment() throws IOException {
        Table t = EnvironmentTable.of(runs);
        save(t, "00-table1-environment", "Environment", "tab:environment");
        return t;
    }

    /**
     * The Table 2 analogue: {@code 02-table2-protocol.md/.tex/.csv}.
     *
     * @param dataCounts cases per split and modality ({@code DatasetManifest.counts()}), or null for the
     *                   scored test cases only
     */
    public Table table2Protocol(Map<String, Map<String, Integer>> dataCounts) throws IOException {
        Table t = ProtocolTable.of(runs, dataCounts);
        save(t, "02-table2-protocol", "Training protocol per configuration", "tab:protocol", "An epoch is not a pass"
                + " over the training split: with the study's per-modality cap it draws at most that many cases of each"
                + " modality, so its size is the steps per epoch times the batch, in images."
                + (dataCounts == null ? " The run records do not say how many training and validation cases the splits hold."
                        : " The Cases rows count the data splits."));
        return t;
    }

    // ---- 02 training ----

    /**
     * Per-term losses of {@code configuration}, mean and band over its seeds:
     * {@code 02-loss-terms-<configuration>}.
     */
    public XYChart lossTerms(String configuration) throws IOException {
        return save(LossCurves.perTerm(group(configuration)), "02-loss-terms-" + configuration);
    }

    /**
     * One unweighted loss term of every configuration (mean and band over seeds), so configurations
     * can be compared on the same quantity: {@code 02-loss-<term>}, one figure per term.
     */
    public List<XYChart> lossTermsCompared() throws IOException {
        java.util.LinkedHashSet<String> terms = new java.util.LinkedHashSet<>();
        for (RunRecords r : runs.runs()) {
            terms.addAll(r.lossTerms());
        }
        List<XYChart> charts = new ArrayList<>();
        for (String t : terms) {
            charts.add(save(LossCurves.compare(runs.runs(), RunRecords.LOSS_PREFIX + t, "Training loss term " + t,
                    t + " loss (unweighted, dimensionless)"), "02-loss-" + t));
        }
        return charts;
    }

    /**
     * Per-epoch loss and validation DSC of {@code configuration} over its seeds, or per step when
     * the runs have one epoch: {@code 02-epochs-<configuration>}.
     */
    public XYChart epochs(String configuration) throws IOException {
        return save(LossCurves.epochs(group(configuration)), "02-epochs-" + configuration);
    }

    /**
     * The learned sigmas of one configuration's runs (mean over seeds, with equilibrium and relative
     * change): {@code 02-sigma-<configuration>}.
     */
    public XYChart sigmas(String configuration) throws IOException {
        return save(SigmaTrajectories.sigmas(group(configuration)), "02-sigma-" + configuration);
    }

    /** The training objective of every configuration, mean and band over seeds: {@code 02-objective}. */
    public XYChart objective() throws IOException {
        return save(LossCurves.total(runs.runs()), "02-objective");
    }

    // ---- 03 ablations ----

    /**
     * The Table 3 analogue: {@code 03-table3.md/.tex/.csv}, with the base model's scores before fine-tuning first
     * when the study wrote them.
     */
    public Table table3() throws IOException {
        Table scores = runs.scoresWithBaseModel();
        Table t = Table3.of(scores);
        boolean base = scores.stringColumn(org.umedsam.report.ScoreColumns.CONFIGURATION).contains(Ordering.BASE_MODEL);
        save(t, "03-table3", "DSC and NSD (%) per modality on the test split, mean ± sd over seeds", "tab:ablation",
                (base ? "Base model: the weights every run fine-tunes from, scored before fine-tuning (one model, so no"
                        + " spread). " : "")
                + "Average: per seed, the unweighted mean over"
                + " modalities of the per-modality means (every modality weighs the same whatever its number of cases),"
                + " then mean ± sd over seeds.");
        return t;
    }

    /**
     * Table 3 with n, paired differences to baseline and 95 % bootstrap intervals, and the sentence on the
     * paper's ordering: {@code 03-table3-statistics.md/.tex/.csv} and {@code 03-table3-statistics-differences.csv}.
     */
    public Table3Statistics table3Statistics() throws IOException {
        Table3Statistics s = Table3Statistics.of(runs.scores());
        manifest.claim();
        record(s.write(out, "03-table3-statistics"));
        return s;
    }

    /**
     * The ablation at each training length, these runs first and then the longer ones given at construction
     * ({@link StudiesSideBySide}): {@code 03-training-length.md/.tex/.csv}.
     *
     * @throws IllegalArgumentException without longer runs, or when a longer folder's configurations and seeds are
     *                                  not these runs' (then it is another study, not a longer one)
     */
    public StudiesSideBySide trainingLength() throws IOException {
        requireLongerRuns();
        StudiesSideBySide t = StudiesSideBySide.byTrainingLength(runs, longerRuns);
        manifest.claim();
        record(t.write(out, "03-training-length"));
        return t;
    }

    /**
     * The ablation training the mask decoder and sigmas (these runs) and training every parameter (the runs given at
     * construction), side by side ({@link StudiesSideBySide#byTrainedParameters}): {@code 03-trained-parameters.md/.tex/.csv}.
     *
     * @throws IllegalArgumentException without every-parameter runs, or when their configurations and seeds are not
     *                                  these runs'
     */
    public StudiesSideBySide trainedParameters() throws IOException {
        if (everyParameterRuns == null) {
            throw new IllegalArgumentException("no runs of " + runs.dir() + "'s study training every parameter to"
                    + " compare with");
        }
        StudiesSideBySide t = StudiesSideBySide.byTrainedParameters(runs, everyParameterRuns);
        manifest.claim();
        record(t.write(out, "03-trained-parameters"));
        return t;
    }

    /**
     * The sharpness estimates of these runs and of the longer ones given at construction, side by side
     * ({@link SharpnessByLengthTable}): {@code 05-sharpness-training-length.md/.tex/.csv}.
     *
     * @throws IllegalArgumentException without longer runs, or when a length has no sharpness estimate
     */
    public SharpnessByLengthTable sharpnessByLength() throws IOException {
        requireLongerRuns();
        List<RunsDirectory> lengths = new ArrayList<>(List.of(runs));
        lengths.addAll(longerRuns);
        Map<String, Table> sharpness = new LinkedHashMap<>();
        for (RunsDirectory r : lengths) {
            Table perSeed = r.sharpness();
            if (perSeed == null) {
                throw new IllegalArgumentException(r.dir() + ": no run has a sharpness estimate");
            }
            sharpness.put(r.stepsLabel(), perSeed);
        }
        SharpnessByLengthTable t = SharpnessByLengthTable.of(sharpness);
        manifest.claim();
        record(t.write(out, "05-sharpness-training-length"));
        return t;
    }

    private void requireLongerRuns() {
        if (longerRuns.isEmpty()) {
            throw new IllegalArgumentException("no longer runs of " + runs.dir() + " to compare with");
        }
    }

    /**
     * Grouped bars (mean over seeds) with a dot per seed of one metric: {@code 03-dsc-per-modality}
     * or {@code 03-nsd-per-modality}; the base model before fine-tuning first, in grey, when the study scored it.
     */
    public XYChart modalityBars(ModalityBars.Metric metric) throws IOException {
        return save(ModalityBars.of(runs.scoresWithBaseModel(), metric),
                "03-" + metric.name().toLowerCase(java.util.Locale.ROOT) + "-per-modality");
    }

    // ---- 04 sigma trajectories ----

    /** {@code 04-sigma}. */
    public XYChart sigmas() throws IOException {
        return save(SigmaTrajectories.sigmas(runs.runs()), "04-sigma");
    }

    /** {@code 04-effective-weights}. */
    public XYChart effectiveWeights() throws IOException {
        return save(SigmaTrajectories.effectiveWeights(runs.runs()), "04-effective-weights");
    }

    // ---- 05 loss landscape ----

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
        return save(LossLandscapePlot.lines(sets, "Dice + BCE + IoU, " + landscapeBatch()), "05-landscape-1d");
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
                + "levels; " + landscapeBatch() + ")", titles, List.of(""), cells, levels(cells), OBJECTIVE_SHORT);
        save(img, "05-landscape-2d");
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
                + "levels; " + landscapeBatch() + ")", configs, rowTitles, cells, levels(cells), OBJECTIVE_SHORT);
        save(img, "05-landscape-2d-all");
        return img;
    }

    /**
     * How many training samples the landscapes' objective is evaluated on, from the runs'
     * {@code sharpness.json} ("fixed batch of 3 training samples"): a few samples make a landscape of
     * those samples, not of the training set, so the figures say how few.
     */
    private String landscapeBatch() throws IOException {
        java.util.SortedSet<Integer> sizes = runs.landscapeBatches();
        if (sizes.isEmpty()) {
            return "fixed batch of training samples (size not recorded)";
        }
        String n = sizes.size() == 1 ? sizes.first().toString() : sizes.first() + " to " + sizes.last();
        return "fixed batch of " + n + " training sample" + (sizes.equals(java.util.Set.of(1)) ? "" : "s");
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
        String batch = SharpnessSummary.batchSizes(perSeed);
        String terms = "rho: radius of the ball, an absolute L2 distance in the space of the trained parameters (as SAM's"
                + " rho). loss: the common objective (Dice + BCE + IoU with unit weights, the same for every"
                + " configuration) at the trained weights; run_loss: the run's own training objective there (for no-sam"
                + " and full the uncertainty-weighted sum, which can be negative). Every value is on one fixed batch of "
                + (batch.equals(SharpnessSummary.NOT_RECORDED) ? "training samples (how many, the records do not say)."
                : batch + " training samples.");
        save(SharpnessSummary.perSeedTable(perSeed), "05-sharpness-seeds",
                "Sharpness per run: random_increase and ascent_increase are the largest increases of the common "
                        + "objective found within the ball along random directions and by gradient ascent (the "
                        + "sharpness is the larger)", "tab:sharpness-seeds", terms);
        Table t = SharpnessSummary.of(perSeed);
        save(t, "05-sharpness",
                "Sharpness over seeds (mean and SD, n seeds): largest increase of the common objective within the "
                        + "ball of radius rho", "tab:sharpness", terms);
        return t;
    }

    // ---- 06 qualitative ----

    /**
     * The {@value #QUALITATIVE_CASES} cases with the highest DSC averaged over configurations among the examples
     * the runs kept (not the whole test split: see {@link QualitativeCases}), each shown for every configuration (rows: cases, columns: configurations), like the paper's
     * Fig. 3: {@code 06-qualitative-good}.
     */
    public BufferedImage qualitativeGood() throws IOException {
        return qualitative(true);
    }

    /**
     * The {@value #QUALITATIVE_CASES} cases with the lowest DSC averaged over configurations among the examples
     * the runs kept, like the paper's Fig. 4: {@code 06-qualitative-challenging}.
     */
    public BufferedImage qualitativeChallenging() throws IOException {
        return qualitative(false);
    }

    /**
     * The cases {@code 06-qualitative-good} and {@code 06-qualitative-challenging} show, each list in the figure's
     * order, and the seeds of the runs that supplied them.
     */
    public record QualitativePicks(List<String> good, List<String> challenging, java.util.SortedSet<Long> seeds) {
    }

    /**
     * What {@link #qualitativeGood} and {@link #qualitativeChallenging} show, without drawing them, so a summary
     * names the same cases; null when no run kept qualitative examples.
     */
    public static QualitativePicks qualitativePicks(RunsDirectory runs) throws IOException {
        boolean kept = runs.runs().stream().anyMatch(r -> java.nio.file.Files.isRegularFile(
                r.dir().resolve(RunFiles.EXAMPLES_DIR).resolve(RunFiles.EXAMPLES_INDEX)));
        if (!kept) {
            return null;
        }
        QualitativeCases cases = QualitativeCases.of(runs);
        return new QualitativePicks(cases.good(QUALITATIVE_CASES), cases.challenging(QUALITATIVE_CASES), cases.seeds());
    }

    private BufferedImage qualitative(boolean good) throws IOException {
        QualitativeCases cases = QualitativeCases.of(runs);
        List<String> picked = good ? cases.good(QUALITATIVE_CASES) : cases.challenging(QUALITATIVE_CASES);
        if (picked.isEmpty()) {
            throw new IOException(runs.dir() + ": too few test cases kept as examples by every configuration for a "
                    + (good ? "good" : "challenging") + " figure (" + cases.caseCount() + " in common)");
        }
        List<ImageGrid.Panel> panels = new ArrayList<>();
        for (String id : picked) {
            for (String config : cases.configurations()) {
                QualitativeExample e = cases.example(config, id);
                String caption = String.format(java.util.Locale.ROOT, "%s, %s: DSC %.2f", config,
                        Table3.displayModality(e.modality()), e.dsc());
                if (config.equals(cases.configurations().get(0))) {
                    caption = e.caseId() + " — " + caption;
                }
                panels.add(panel(e, caption));
            }
        }
        String title = qualitativeTitle(good, picked.size(), cases);
        List<ImageGrid.LegendEntry> legend = List.of(new ImageGrid.LegendEntry(Overlay.BOX, "box prompt (largest object)"),
                new ImageGrid.LegendEntry(Overlay.TRUTH, "ground truth (every object)"),
                new ImageGrid.LegendEntry(Overlay.PREDICTION, "prediction"));
        BufferedImage img = ImageGrid.compose(title, panels, cases.configurations().size(), legend);
        save(img, "06-qualitative-" + (good ? "good" : "challenging"));
        return img;
    }

    /**
     * The qualitative title says what the cases were picked from: not the test split, but the few examples each
     * configuration's first-seed run kept per modality (its best, its worst, then others), and that the pick
     * prefers a modality not yet shown.
     */
    String qualitativeTitle(boolean good, int shown, QualitativeCases cases) {
        String seeds = cases.seeds().size() == 1 ? "seed " + cases.seeds().first()
                : "seeds " + cases.seeds().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        if (cases.caseCount() == testCaseCount()) {
            return (good ? "Good results" : "Challenging results") + " (" + profile() + " profile): "
                    + (shown == 1 ? "the case" : shown + " cases") + " with the " + (good ? "highest" : "lowest")
                    + " mean DSC over configurations (one per modality where possible) among all " + cases.caseCount()
                    + " test cases (" + seeds + ")";
        }
        return (good ? "Good results" : "Challenging results") + " (" + profile() + " profile): "
                + (shown == 1 ? "the case" : shown + " cases") + " with the " + (good ? "highest" : "lowest")
                + " mean DSC over configurations (one per modality where possible), among the " + cases.caseCount()
                + " test cases every configuration kept as examples (at most " + cases.perModality()
                + " per modality and run: its best, its worst, then others; " + seeds + ")";
    }

    private static ImageGrid.Panel panel(QualitativeExample e, String caption) {
        Overlay.Example ex = new Overlay.Example(e.image(), e.channels(), e.height(), e.width(), e.truth(),
                e.prediction(), e.box(), e.truthLabels(), e.predictionLabels());
        return new ImageGrid.Panel(Overlay.render(ex, PANEL), caption);
    }

    // ---- 07 efficiency ----

    /**
     * The Table 4 analogue: {@code 07-table4.md/.tex/.csv}. From the interleaved timings
     * ({@link EfficiencyTable#FILE}, mean ± sd over repeats per case and size class) when the runs folder
     * has them, else from the runs' evaluation timings (one time per case, averaged over seeds).
     */
    public Table table4() throws IOException {
        Table interleaved = EfficiencyTable.read(runs.dir());
        if (interleaved != null) {
            Table t = EfficiencyTable.of(interleaved);
            save(t, "07-table4", "Running time per test case (seconds, this machine), mean ± sd over interleaved repeats",
                    "tab:time", "Case rows: mean ± sd over the interleaved repeats of that case's time. Aggregate rows"
                            + " (all 2D / 3D / all cases): per repeat, the mean time over the row's cases; then mean ± sd"
                            + " of those means over the repeats (the spread between repeats, not between cases).");
            return t;
        }
        Table timings = timings();
        Table t = Table4.of(timings);
        save(t, "07-table4", "Running time per test case (seconds, this machine)", "tab:time");
        return t;
    }

    /**
     * Running time per case, baseline against full (mean ± sd): {@code 07-efficiency}. From the interleaved timings
     * ({@code <runs>/efficiency.csv}) when they exist, as {@link #table4} does; otherwise from the runs' evaluation
     * timings, where only the configuration evaluated first has cases timed without cached embeddings, so the
     * figure then shows that configuration alone.
     */
    public XYChart efficiency() throws IOException {
        Table interleaved = EfficiencyTable.read(runs.dir());
        return save(EfficiencyPlot.of(interleaved != null ? interleaved : timings(), testCaseCount()), "07-efficiency");
    }

    /** Distinct test cases the runs scored (the test split the timed cases come from); 0 without scores. */
    private int testCaseCount() {
        try {
            return runs.scores().stringColumn(org.umedsam.report.ScoreColumns.CASE).countUnique();
        } catch (IOException e) {
            return 0;
        }
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
     * on {@code log} saying why. Afterwards the files of this family in the output folder that
     * were not rewritten now (another profile's, or a figure these runs no longer allow) are
     * deleted, so the folder shows this profile only.
     *
     * @return names of the figures and tables written
     */
    public List<String> all(PrintStream log) {
        return all(log, null);
    }

    /**
     * As {@link #all(PrintStream)}, Table 2 counting the data's splits.
     *
     * @param dataCounts cases per split and modality ({@code DatasetManifest.counts()}), or null
     */
    public List<String> all(PrintStream log, Map<String, Map<String, Integer>> dataCounts) {
        written.clear();
        List<String> done = new ArrayList<>();
        List<String> configs = Ordering.configurations(runs.runs().stream().map(RunRecords::configuration).toList());
        for (String c : configs) {
            attempt(log, done, "02-loss-terms-" + c, () -> lossTerms(c));
            if (group(c).stream().anyMatch(r -> r.epochs() != null && r.epochs().rowCount() > 0)) {
                attempt(log, done, "02-epochs-" + c, () -> epochs(c));
            }
            if (group(c).stream().anyMatch(r -> !r.sigmaTerms().isEmpty())) {
                attempt(log, done, "02-sigma-" + c, () -> sigmas(c));
            }
        }
        java.util.Set<String> terms = new java.util.LinkedHashSet<>();
        runs.runs().forEach(r -> terms.addAll(r.lossTerms()));
        attempt(log, done, terms.stream().map(t -> "02-loss-" + t).collect(java.util.stream.Collectors.joining(", ")),
                this::lossTermsCompared);
        attempt(log, done, "02-objective", this::objective);
        attempt(log, done, "00-table1-environment", this::table1Environment);
        attempt(log, done, "02-table2-protocol", () -> table2Protocol(dataCounts));
        attempt(log, done, "03-table3", this::table3);
        attempt(log, done, "03-table3-statistics", this::table3Statistics);
        if (!longerRuns.isEmpty()) {
            attempt(log, done, "03-training-length", this::trainingLength);
            attempt(log, done, "05-sharpness-training-length", this::sharpnessByLength);
        }
        if (everyParameterRuns != null) {
            attempt(log, done, "03-trained-parameters", this::trainedParameters);
        }
        attempt(log, done, "03-dsc-per-modality", () -> modalityBars(ModalityBars.Metric.DSC));
        attempt(log, done, "03-nsd-per-modality", () -> modalityBars(ModalityBars.Metric.NSD));
        attempt(log, done, "04-sigma", this::sigmas);
        attempt(log, done, "04-effective-weights", this::effectiveWeights);
        attempt(log, done, "05-landscape-1d", this::landscape1d);
        attempt(log, done, "05-landscape-2d", this::landscape2d);
        attempt(log, done, "05-landscape-2d-all", this::landscape2dAll);
        attempt(log, done, "05-sharpness", this::sharpness);
        attempt(log, done, "06-qualitative-good", this::qualitativeGood);
        attempt(log, done, "06-qualitative-challenging", this::qualitativeChallenging);
        attempt(log, done, "07-table4", this::table4);
        attempt(log, done, "07-efficiency", this::efficiency);
        try {
            for (String gone : manifest.prune(written)) {
                log.println("removed stale " + gone);
            }
        } catch (IOException e) {
            log.println("could not remove stale figures: " + e.getMessage());
        }
        return done;
    }

    /** Names of the files this object has written (since the last {@link #all}). */
    public java.util.Set<String> written() {
        return java.util.Collections.unmodifiableSet(written);
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

    /** The runs (seeds) of one configuration, lowest seed first. */
    private List<RunRecords> group(String configuration) {
        List<RunRecords> g = runs.runs().stream().filter(r -> r.configuration().equals(configuration))
                .sorted(Comparator.comparingLong(RunRecords::seed)).toList();
        if (g.isEmpty()) {
            throw new IllegalArgumentException(runs.dir() + ": no run of configuration '" + configuration + "' (it has "
                    + Ordering.configurations(runs.runs().stream().map(RunRecords::configuration).toList()) + ")");
        }
        return g;
    }
}

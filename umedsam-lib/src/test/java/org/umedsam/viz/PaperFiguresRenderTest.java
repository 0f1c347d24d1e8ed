package org.umedsam.viz;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Axis;
import org.knowm.xchart.internal.chartpart.AxisPair;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Renders every {@link PaperFigures} chart headless from a synthetic runs folder (four
 * configurations, three seeds) and checks the files: present, not empty, mode rw-r--r--, and
 * every XY axis with at least three labelled ticks. The figures stay in target/paper-figures-render
 * for a look.
 */
class PaperFiguresRenderTest {
    static final Path OUT = Path.of("target", "paper-figures-render");
    @TempDir
    static Path tmp;
    static PaperFigures figures;

    interface Make {
        Object make(PaperFigures f) throws IOException;
    }

    @BeforeAll
    static void runs() throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path runs = SyntheticRuns.write(tmp.resolve("synthetic"), SyntheticRuns.CONFIGS, 3, 1);
        // one configuration with several epochs: the per-epoch path
        SyntheticRuns.write(runs, List.of("no-sam"), 3, 4);
        figures = PaperFigures.of(runs, OUT);
    }

    static Stream<Arguments> figures() {
        return Stream.of(
                Arguments.of("02-loss-terms-full", (Make) f -> f.lossTerms("full")),
                Arguments.of("02-loss-dice", (Make) f -> f.lossTermsCompared().get(0)),
                // values below 0.1, whose tick labels XChart's default pattern printed as ".09"
                Arguments.of("02-loss-iou", (Make) f -> f.lossTermsCompared().get(2)),
                Arguments.of("02-epochs-baseline", (Make) f -> f.epochs("baseline")),
                Arguments.of("02-epochs-no-sam", (Make) f -> f.epochs("no-sam")),
                Arguments.of("02-objective", (Make) PaperFigures::objective),
                Arguments.of("02-sigma-full", (Make) f -> f.sigmas("full")),
                Arguments.of("03-table3", (Make) PaperFigures::table3),
                Arguments.of("03-dsc-per-modality", (Make) f -> f.modalityBars(ModalityBars.Metric.DSC)),
                Arguments.of("03-nsd-per-modality", (Make) f -> f.modalityBars(ModalityBars.Metric.NSD)),
                Arguments.of("04-sigma", (Make) PaperFigures::sigmas),
                Arguments.of("04-effective-weights", (Make) PaperFigures::effectiveWeights),
                Arguments.of("05-landscape-1d", (Make) PaperFigures::landscape1d),
                Arguments.of("05-sharpness", (Make) PaperFigures::sharpness),
                Arguments.of("06-qualitative-good", (Make) PaperFigures::qualitativeGood),
                Arguments.of("06-qualitative-challenging", (Make) PaperFigures::qualitativeChallenging),
                Arguments.of("07-table4", (Make) PaperFigures::table4),
                Arguments.of("07-efficiency", (Make) PaperFigures::efficiency));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("figures")
    void rendersWithReadableAxesAndOrdinaryFiles(String name, Make make) throws Exception {
        Object drawn = make.make(figures);
        List<Path> files = new ArrayList<>();
        for (String ext : List.of(".png", ".svg", ".md", ".tex", ".csv")) {
            if (Files.exists(OUT.resolve(name + ext))) {
                files.add(OUT.resolve(name + ext));
            }
        }
        assertThat(files).as("files of %s", name).isNotEmpty();
        for (Path f : files) {
            assertThat(Files.size(f)).as("%s", f).isGreaterThan(100);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("%s", f).isEqualTo("rw-r--r--");
        }
        if (drawn instanceof XYChart chart) {
            // short, and with a digit before the decimal point ("0.09", not ".09")
            if (chart.getStyler().isXAxisTicksVisible()) {
                assertThat(labels(chart, true)).as("x tick labels of %s", name).hasSizeGreaterThanOrEqualTo(3)
                        .allSatisfy(l -> assertThat(l.length()).as("label '%s'", l).isLessThanOrEqualTo(12))
                        .allSatisfy(l -> assertThat(l).doesNotMatch("-?\\..*"));
            }
            assertThat(labels(chart, false)).as("y tick labels of %s", name).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(l -> assertThat(l.length()).as("label '%s'", l).isLessThanOrEqualTo(12))
                    .allSatisfy(l -> assertThat(l).doesNotMatch("-?\\..*"));
            assertThat(chart.getSeriesMap().keySet()).as("series of %s", name).isNotEmpty();
        }
        if (drawn instanceof BufferedImage img) {
            assertThat(img.getWidth()).isGreaterThan(4 * PaperFigures.PANEL);
        }
    }

    @Test
    void modalityBarsLabelEveryModalityAndTheZeroBar() throws Exception {
        XYChart c = figures.modalityBars(ModalityBars.Metric.DSC);
        // the modality names and, as baseline scores zero on US, one "0" are written in the plot
        Field f = Chart.class.getDeclaredField("annotations");
        f.setAccessible(true);
        Field text = AnnotationText.class.getDeclaredField("text");
        text.setAccessible(true);
        List<String> texts = new ArrayList<>();
        for (Object a : (List<?>) f.get(c)) {
            if (a instanceof AnnotationText t) {
                texts.add((String) text.get(t));
            }
        }
        assertThat(texts).containsSubsequence("CT", "MR", "US", "Average").containsOnlyOnce("0");
        assertThat(labels(c, false)).allSatisfy(l -> assertThat(l).doesNotStartWith("-")).contains("0", "100");
        // a dot per seed: 4 configurations x 4 groups x 3 seeds
        assertThat(c.getSeriesMap().get("one seed").getXData()).hasSize(4 * 4 * 3);
    }

    @Test
    void sigmaAxisHoldsStartAndEquilibriumAndStatesTheChange() throws Exception {
        XYChart c = figures.sigmas();
        // positive values spanning decades: a log axis of whole decades holding sigma = 1
        assertThat(c.getStyler().isYAxisLogarithmic()).isTrue();
        assertThat(c.getStyler().getYAxisMin()).isGreaterThan(0.0).isLessThan(1.0);
        assertThat(c.getStyler().getYAxisMax()).isGreaterThan(1.0);
        assertThat(c.getTitle()).contains("mean of 3 seeds");
        assertThat(c.getSeriesMap().keySet()).anyMatch(n -> n.startsWith("full · dice: σ 1.000 → 0.99") && n.contains("%"));
        // the seeds' spread at the end beside the mean, so a mean of three seeds is not read as one run
        assertThat(c.getTitle()).contains("± sd at the end");
        assertThat(c.getSeriesMap().keySet()).filteredOn(n -> n.startsWith("full · dice: σ"))
                .allMatch(n -> n.matches(".*→ [0-9.]+ ± [0-9.]+ \\(.*"));
        assertThat(SigmaTrajectories.endSd(List.of(new double[] {1, 2}, new double[] {1, 4}, new double[] {Double.NaN, Double.NaN})))
                .isCloseTo(Math.sqrt(2), org.assertj.core.data.Offset.offset(1e-12));
    }

    /**
     * With learned sigmas the per-epoch values are the objective with log σ (can go negative): the axis says so,
     * and the figure says over how many seeds and validation samples its values are means.
     */
    @Test
    void epochFiguresNameTheirObjectiveSeedsAndValidationSamples(@TempDir Path dir) throws Exception {
        XYChart sigmas = figures.epochs("no-sam");
        assertThat(sigmas.getYAxisTitle()).contains("with log σ");
        assertThat(sigmas.getTitle()).contains("mean of 3 seeds");
        assertThat(figures.epochs("baseline").getYAxisTitle()).doesNotContain("log σ").contains("fixed-weight");
        // the synthetic runs have no run.json: the legend says the count is unknown rather than guess it
        assertThat(sigmas.getSeriesMap().values()).map(org.knowm.xchart.XYSeries::getLabel)
                .anyMatch(l -> l.startsWith("validation DSC") && l.contains("not recorded"));
        Path runs = SyntheticRuns.write(dir.resolve("runs"), List.of("full"), 2, 3);
        for (String run : List.of("full-s0", "full-s1")) {
            Files.writeString(runs.resolve(run).resolve("run.json"), "{\"validation_samples\": 36}\n");
        }
        XYChart recorded = LossCurves.epochs(org.umedsam.report.RunRecords.readAll(runs));
        assertThat(recorded.getSeriesMap().values()).map(org.knowm.xchart.XYSeries::getLabel)
                .contains("validation DSC, right axis\n(mean of 36 samples)", "validation\n(mean of 36 samples)");
    }

    /** Objectives with and without log σ are different functions: each gets its own, titled axis. */
    @Test
    void objectiveKeepsUncertaintyWeightedRunsOnTheirOwnAxis() throws Exception {
        XYChart c = figures.objective();
        assertThat(c.getYAxisTitle()).contains("fixed-weight");
        assertThat(c.getYAxisGroupTitle(1)).contains("log σ");
        assertThat(c.getTitle()).contains("two axes");
        // the curves are smoothed: the title says how
        assertThat(c.getTitle()).matches(".*(\\d+-step average|per step).*");
        assertThat(figures.lossTerms("full").getTitle()).matches(".*mean ± sd of 3 seeds, (\\d+-step average|per step).*");
        assertThat(c.getSeriesMap().get("full (3 seeds)").getYAxisGroup()).isEqualTo(1);
        assertThat(c.getSeriesMap().get("no-sam (3 seeds)").getYAxisGroup()).isEqualTo(1);
        assertThat(c.getSeriesMap().get("baseline (3 seeds)").getYAxisGroup()).isZero();
        assertThat(c.getSeriesMap().get("only-sd (3 seeds)").getYAxisGroup()).isZero();
    }

    /**
     * The qualitative title says the cases come from the examples each run kept (not the whole test split), how
     * many, and which seed; "full" in it is the profile, not the configuration.
     */
    @Test
    void qualitativeTitleSaysWhatTheCasesWerePickedFrom() throws Exception {
        QualitativeCases cases = QualitativeCases.of(figures.runs());
        int scored = SyntheticRuns.MODALITIES.size() * SyntheticRuns.CASES_PER_MODALITY;
        // the synthetic runs keep every scored case: the pool is the test split
        assertThat(cases.caseCount()).isEqualTo(scored);
        assertThat(figures.qualitativeTitle(true, 4, cases)).contains("(synthetic profile)",
                "4 cases with the highest mean DSC", "among all " + scored + " test cases (seed 0)");
        // a run that kept fewer than it scored narrows the pool, and the title says so
        Path copy = Files.createTempDirectory(tmp, "fewer");
        for (org.umedsam.report.RunRecords r : figures.runs().runs()) {
            Path to = copy.resolve(r.dir().getFileName());
            try (var files = Files.walk(r.dir())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path t = to.resolve(r.dir().relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(f, t);
                    }
                }
            }
            Path index = to.resolve(org.umedsam.report.RunFiles.EXAMPLES_DIR).resolve(org.umedsam.report.RunFiles.EXAMPLES_INDEX);
            if (Files.isRegularFile(index)) {
                List<String> lines = Files.readAllLines(index);
                Files.write(index, lines.subList(0, lines.size() - 1));
            }
        }
        PaperFigures fewer = new PaperFigures(org.umedsam.report.RunsDirectory.read(copy), Files.createTempDirectory(tmp, "out"),
                new FigureWriter(72, false));
        QualitativeCases pool = QualitativeCases.of(fewer.runs());
        int kept = pool.caseCount();
        assertThat(kept).isLessThan(scored);
        String good = fewer.qualitativeTitle(true, 4, pool);
        assertThat(good).contains("among the " + kept + " test cases every configuration kept as examples",
                "at most " + SyntheticRuns.CASES_PER_MODALITY + " per modality and run", "seed 0");
        assertThat(fewer.qualitativeTitle(false, 4, pool)).contains("lowest mean DSC");
        // a title wider than the grid wraps onto more lines instead of being cut or widening the figure
        BufferedImage panel = Overlay.render(FigureRenderTest.disk(60, 60, 0), 300);
        List<ImageGrid.Panel> panels = List.of(new ImageGrid.Panel(panel, "a"), new ImageGrid.Panel(panel, "b"),
                new ImageGrid.Panel(panel, "c"), new ImageGrid.Panel(panel, "d"));
        BufferedImage shortTitle = ImageGrid.compose("Good results", panels, 4, List.of());
        BufferedImage longTitle = ImageGrid.compose(good + " " + good, panels, 4, List.of());
        assertThat(longTitle.getWidth()).isEqualTo(shortTitle.getWidth());
        assertThat(longTitle.getHeight()).isGreaterThan(shortTitle.getHeight());
    }

    /** Notebook 06's closing sentences name the cases the two qualitative figures show, in their order. */
    @Test
    void theFindingsNameTheQualitativeFiguresCases() throws IOException {
        PaperFigures.QualitativePicks picks = PaperFigures.qualitativePicks(figures.runs());
        assertThat(picks.good()).hasSize(PaperFigures.QUALITATIVE_CASES);
        assertThat(picks.challenging()).hasSize(PaperFigures.QUALITATIVE_CASES).doesNotContainAnyElementsOf(picks.good());
        List<String> lines = List.of(org.umedsam.analysis.Findings.cases(figures.runs()).toString().split("\n"));
        List<String> named = new ArrayList<>();
        for (String line : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(good|challenging): (\\S+) \\(").matcher(line);
            if (m.find()) {
                named.add(m.group(1) + " " + m.group(2));
            }
        }
        List<String> expected = new ArrayList<>();
        picks.good().forEach(id -> expected.add("good " + id));
        picks.challenging().forEach(id -> expected.add("challenging " + id));
        assertThat(named).containsExactlyElementsOf(expected);
    }

    /** Effective weights on a log axis, with relative changes to at most 3 significant figures. */
    @Test
    void effectiveWeightsUseALogAxisAndThreeSignificantFigures() throws Exception {
        XYChart c = figures.effectiveWeights();
        assertThat(c.getStyler().isYAxisLogarithmic()).isTrue();
        java.util.regex.Pattern change = java.util.regex.Pattern.compile("\\(([-+]?[0-9.]+) %\\)");
        List<String> changes = new ArrayList<>();
        for (String n : c.getSeriesMap().keySet()) {
            java.util.regex.Matcher m = change.matcher(n);
            if (m.find()) {
                changes.add(m.group(1));
            }
        }
        assertThat(changes).isNotEmpty().allSatisfy(v -> assertThat(v.replaceAll("[^0-9]", "").replaceFirst("^0+", "")
                .replaceFirst("0+$", "").length()).as(v).isLessThanOrEqualTo(3));
        assertThat(SigmaTrajectories.signed(4298.24)).isEqualTo("+4300");
        assertThat(SigmaTrajectories.signed(-0.1234)).isEqualTo("-0.123");
    }

    @Test
    void anotherProfileReplacesTheFiguresAndStaleOnesGo(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("figures");
        Path a = SyntheticRuns.write(dir.resolve("runs").resolve("quick"), SyntheticRuns.CONFIGS, 2, 1);
        Path b = SyntheticRuns.write(dir.resolve("runs").resolve("full"), List.of("baseline", "full"), 2, 1);
        Files.createDirectories(out);
        Files.writeString(out.resolve("00-environment.md"), "not ours\n");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PaperFigures.of(a, out).all(quiet);
        assertThat(out.resolve("02-loss-terms-only-sd.png")).exists();
        assertThat(Files.readString(out.resolve(FigureManifest.FILE))).contains("\"profile\": \"quick\"");

        // another profile, one figure only (as a notebook does): the quick figures go at once
        PaperFigures full = PaperFigures.of(b, out);
        full.objective();
        assertThat(out.resolve("02-loss-terms-only-sd.png")).doesNotExist();
        assertThat(out.resolve("03-table3.md")).doesNotExist();
        assertThat(out.resolve("02-objective.png")).exists();
        assertThat(out.resolve("00-environment.md")).exists();
        full.all(quiet);
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertThat(names).noneMatch(n -> n.contains("only-sd") || n.contains("no-sam"));
            assertThat(names).contains("02-loss-terms-full.png", "06-qualitative-good.png", FigureManifest.FILE);
        }
        assertThat(Files.readString(out.resolve(FigureManifest.FILE))).contains("\"profile\": \"full\"");
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p)
                        .isEqualTo("rw-r--r--");
            }
        }
    }

    /**
     * The manifest records the runs folder relative to the figures: a clone with the same runs at the same place
     * (checkout/runs/full beside checkout/figures) keeps the figures a notebook does not rewrite, where an
     * absolute path deleted them all in every clone but the one that made them.
     */
    @Test
    void anotherCheckoutOfTheSameRunsKeepsTheFigures(@TempDir Path dir) throws IOException {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path first = dir.resolve("main");
        SyntheticRuns.write(first.resolve("runs").resolve("full"), SyntheticRuns.CONFIGS, 2, 1);
        PaperFigures.of(first.resolve("runs").resolve("full"), first.resolve("figures")).all(quiet);
        assertThat(Files.readString(first.resolve("figures").resolve(FigureManifest.FILE)))
                .contains("\"runs\": \"../runs/full\"");
        Path clone = dir.resolve("clone");
        try (Stream<Path> files = Files.walk(first)) {
            for (Path f : files.toList()) {
                Path t = clone.resolve(first.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
        PaperFigures.of(clone.resolve("runs").resolve("full"), clone.resolve("figures")).lossTerms("full");
        assertThat(clone.resolve("figures").resolve("02-loss-terms-only-sd.png")).exists();
        assertThat(clone.resolve("figures").resolve("03-table3.md")).exists();

        // a manifest from before, with an absolute path, still names its own runs folder
        Path manifest = first.resolve("figures").resolve(FigureManifest.FILE);
        Files.writeString(manifest, Files.readString(manifest).replace("../runs/full",
                first.resolve("runs").resolve("full").toAbsolutePath().toString()));
        PaperFigures.of(first.resolve("runs").resolve("full"), first.resolve("figures")).lossTerms("full");
        assertThat(first.resolve("figures").resolve("02-loss-terms-only-sd.png")).exists();
        assertThat(Files.readString(manifest)).contains("\"runs\": \"../runs/full\"");
    }

    @Test
    void figuresWithoutAManifestAreReplacedByACompleteRun(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("figures");
        Files.createDirectories(out);
        Files.writeString(out.resolve("06-qualitative-full.png"), "an old figure");
        Files.writeString(out.resolve("01-preprocessing.png"), "another notebook's figure");
        Path runs = SyntheticRuns.write(dir.resolve("quick"), List.of("baseline", "full"), 1, 1);
        PaperFigures.of(runs, out).all(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(out.resolve("06-qualitative-full.png")).doesNotExist();
        assertThat(out.resolve("01-preprocessing.png")).exists();
    }

    @Test
    void touchingObjectsEachGetAContour() {
        int w = 40;
        int h = 20;
        boolean[] mask = new boolean[w * h];
        byte[] labels = new byte[w * h];
        for (int y = 5; y < 15; y++) {
            for (int x = 5; x < 35; x++) {
                mask[y * w + x] = true;
                labels[y * w + x] = (byte) (x < 20 ? 1 : 2);
            }
        }
        float[] px = new float[w * h];
        Overlay.Example plain = new Overlay.Example(px, 1, h, w, mask, null, null);
        Overlay.Example labelled = new Overlay.Example(px, 1, h, w, mask, null, null, labels, null);
        // 400 px wide: 10 output pixels per mask pixel; the shared border lies at x = 200
        int border = Overlay.render(labelled, 400).getRGB(200, 100) & 0xFFFFFF;
        assertThat(border).isEqualTo(Overlay.TRUTH.getRGB() & 0xFFFFFF);
        assertThat(Overlay.render(plain, 400).getRGB(200, 100) & 0xFFFFFF).isNotEqualTo(Overlay.TRUTH.getRGB() & 0xFFFFFF);
    }

    /** The non-blank tick labels XChart laid out on an axis (read through its internals after a paint). */
    static List<String> labels(Chart<?, ?> chart, boolean x) throws Exception {
        BitmapEncoder.getBufferedImage(chart);
        Field f = Chart.class.getDeclaredField("axisPair");
        f.setAccessible(true);
        AxisPair<?, ?> pair = (AxisPair<?, ?>) f.get(chart);
        Method m = AxisPair.class.getDeclaredMethod(x ? "getXAxis" : "getYAxis");
        m.setAccessible(true);
        Axis<?, ?> axis = (Axis<?, ?>) m.invoke(pair);
        return axis.getAxisTickCalculator().getTickLabels().stream().filter(l -> l != null && !l.isBlank()).toList();
    }
}

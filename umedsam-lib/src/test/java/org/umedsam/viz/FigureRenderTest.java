package org.umedsam.viz;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.knowm.xchart.internal.chartpart.Chart;
import org.umedsam.report.RunsDirectory;
import org.umedsam.report.RunRecords;
import org.umedsam.report.Tables;

/**
 * Renders every figure class headless from the recorded (synthetic, see
 * src/test/resources/records/synthetic/make-synthetic.py) run records and checks that PNG and
 * SVG files appear and carry a real drawing. Outputs stay in target/figure-test for a look.
 */
class FigureRenderTest {
    static final Path RECORDS = Path.of("src", "test", "resources", "records", "synthetic");
    static final Path OUT = Path.of("target", "figure-test");

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    interface ChartFactory {
        Chart<?, ?> make() throws IOException;
    }

    static List<RunRecords> runs() throws IOException {
        return RunRecords.readAll(RECORDS.resolve("runs"));
    }

    static RunRecords run(String name) throws IOException {
        return RunRecords.read(RECORDS.resolve("runs").resolve(name));
    }

    static Stream<Arguments> charts() {
        return Stream.of(
                Arguments.of("loss-terms", (ChartFactory) () -> LossCurves.perTerm(run("full-s0"))),
                Arguments.of("loss-total", (ChartFactory) () -> LossCurves.total(runs())),
                Arguments.of("loss-epochs", (ChartFactory) () -> LossCurves.epochs(run("full-s0"))),
                Arguments.of("sigma", (ChartFactory) () -> SigmaTrajectories.sigmas(runs())),
                Arguments.of("weights", (ChartFactory) () -> SigmaTrajectories.effectiveWeights(runs())),
                Arguments.of("bars-dsc", (ChartFactory) () -> ModalityBars.of(
                        Tables.readCsv(RECORDS.resolve("scores.csv")), ModalityBars.Metric.DSC)),
                Arguments.of("bars-nsd", (ChartFactory) () -> ModalityBars.of(
                        Tables.readCsv(RECORDS.resolve("scores.csv")), ModalityBars.Metric.NSD)),
                Arguments.of("landscape-1d", (ChartFactory) () -> LossLandscapePlot.lines(
                        RunsDirectory.read(RECORDS.resolve("runs")).landscapes(), "loss")),
                Arguments.of("histogram", (ChartFactory) () -> IntensityHistogram.of("Intensity histogram",
                        "normalised intensity (0 to 1)", Map.of("noise", noise(20000, 1), "after", noise(20000, 2),
                                "sparse", sparse()), 40, 0, 1, true)),
                Arguments.of("efficiency", (ChartFactory) () -> EfficiencyPlot.of(
                        Tables.readCsv(RECORDS.resolve("timings.csv")))));
    }

    /** On a log axis an empty bin is a gap: no drawn segment spans it. */
    @Test
    void histogramLeavesEmptyBinsAsGaps() {
        float[] twoBins = new float[100];
        java.util.Arrays.fill(twoBins, 50, 100, 0.55f); // bins 0 and 5 of 10 over [0, 1]; 1..4 empty
        org.knowm.xchart.XYChart chart = IntensityHistogram.of("h", "x", Map.of("a", twoBins), 10, 0, 1, true);
        for (org.knowm.xchart.XYSeries s : chart.getSeriesMap().values()) {
            double[] x = s.getXData();
            for (int i = 1; i < x.length; i++) {
                assertThat(x[i] - x[i - 1]).as("%s from %s", s.getName(), x[i - 1]).isLessThanOrEqualTo(0.1 + 1e-9);
            }
        }
        assertThat(chart.getSeriesMap().values().stream().filter(org.knowm.xchart.XYSeries::isShowInLegend)).hasSize(1);
    }

    /** The 1D landscape colours each configuration as every other figure does. */
    @Test
    void landscapeLinesUseTheConfigurationColours() throws IOException {
        org.knowm.xchart.XYChart chart = LossLandscapePlot.lines(RunsDirectory.read(RECORDS.resolve("runs")).landscapes(),
                "loss");
        int lines = 0;
        for (Map.Entry<String, org.knowm.xchart.XYSeries> e : chart.getSeriesMap().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(" ") || name.endsWith(" ± SD")) {
                continue;
            }
            String configuration = name.substring(0, name.indexOf(" ("));
            assertThat(e.getValue().getLineColor()).as(name).isEqualTo(Palette.configuration(configuration));
            lines++;
        }
        assertThat(lines).isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("charts")
    void rendersChartToPngAndSvg(String name, ChartFactory factory) throws IOException {
        Chart<?, ?> chart = factory.make();
        List<Path> files = FigureWriter.defaults().write(chart, OUT, name);
        assertThat(files).hasSize(2);
        checkPng(files.get(0), chart.getWidth(), chart.getHeight());
        String svg = Files.readString(files.get(1), StandardCharsets.UTF_8);
        assertThat(svg.startsWith("<?xml") && svg.contains("<svg") && svg.strip().endsWith("</svg>"))
                .as("%s is a complete SVG document", files.get(1)).isTrue();
        // VectorGraphics2D writes text as glyph paths: a titled, labelled chart has many of them
        assertThat(svg.split("<path", -1).length - 1).as("paths in %s", files.get(1)).isGreaterThan(30);
    }

    @Test
    void printResolutionScalesThePng() throws IOException {
        Chart<?, ?> chart = LossCurves.perTerm(run("full-s1"));
        Path png = new FigureWriter(FigureWriter.PRINT_DPI, false).writePng(chart, OUT.resolve("loss-terms-300dpi.png"));
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isBetween(chart.getWidth() * 300 / 72 - 1, chart.getWidth() * 300 / 72 + 1);
        try (Stream<Path> s = Files.list(OUT)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains(".tmp"))).isEmpty();
        }
    }

    @Test
    void rendersOverlayAndPreprocessingImages() throws IOException {
        Overlay.Example ex = disk(180, 140, 0.3);
        BufferedImage o = Overlay.render(ex, 256);
        assertThat(o.getWidth()).isEqualTo(256);
        assertThat(o.getHeight()).isEqualTo(199);
        assertThat(colourCount(o)).isGreaterThan(50);
        // the prediction outline colour appears on the image
        assertThat(containsColour(o, Overlay.PREDICTION.getRGB())).isTrue();
        assertThat(containsColour(o, Overlay.TRUTH.getRGB())).isTrue();

        String longCaption = "MR: a long caption that has to wrap onto more lines to fit under its panel";
        BufferedImage grid = ImageGrid.compose("Qualitative examples", List.of(
                new ImageGrid.Panel(o, "CT: DSC 0.91"),
                new ImageGrid.Panel(Overlay.render(disk(100, 100, -0.2), 256), longCaption)),
                2, Overlay.legend());
        BufferedImage oneLine = ImageGrid.compose("Qualitative examples", List.of(
                new ImageGrid.Panel(o, "CT: DSC 0.91"),
                new ImageGrid.Panel(Overlay.render(disk(100, 100, -0.2), 256), "MR: short")),
                2, Overlay.legend());
        java.awt.FontMetrics capFm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
                .getFontMetrics(new java.awt.Font("DejaVu Sans", java.awt.Font.PLAIN, 13));
        List<String> lines = ImageGrid.wrap(longCaption, 256, capFm);
        // every word is kept, in order, and each line fits the panel
        assertThat(String.join(" ", lines)).isEqualTo(longCaption);
        assertThat(lines).hasSizeGreaterThan(1).allSatisfy(l -> assertThat(capFm.stringWidth(l)).isLessThanOrEqualTo(256));
        // the caption band grows by the extra lines instead of cutting the caption
        assertThat(grid.getHeight() - oneLine.getHeight()).isEqualTo((lines.size() - 1) * capFm.getHeight());
        assertThat(ImageGrid.wrap("Supercalifragilisticexpialidocious", 60, capFm)).singleElement()
                .satisfies(l -> assertThat(l).endsWith("…"));
        Path gridPng = new FigureWriter(72, false).write(grid, OUT, "qualitative");
        checkPng(gridPng, grid.getWidth(), grid.getHeight());
        // one small panel under a long title: the canvas widens to the whole title instead of cutting it
        String title = "Qualitative results: full (best and worst test example per modality)";
        BufferedImage narrow = ImageGrid.compose(title, List.of(new ImageGrid.Panel(Overlay.render(disk(60, 60, 0), 100), "X")),
                1, List.of());
        java.awt.Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int titleWidth = g.getFontMetrics(ImageGrid.TITLE_FONT).stringWidth(title);
        g.dispose();
        assertThat(narrow.getWidth()).isGreaterThan(titleWidth);

        BufferedImage pre = PreprocessingFigure.of(List.of(
                new PreprocessingFigure.Pair("CT", disk(300, 200, 0), disk(256, 256, 0)),
                new PreprocessingFigure.Pair("MR", disk(120, 160, 0), disk(256, 256, 0))), 200, 2);
        checkPng(new FigureWriter(72, false).write(pre, OUT, "preprocessing"), pre.getWidth(), pre.getHeight());
    }

    static void checkPng(Path png, int width, int height) throws IOException {
        assertThat(Files.size(png)).isGreaterThan(5_000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(width);
        assertThat(img.getHeight()).isEqualTo(height);
        // a real drawing: text, axes and lines in several colours, not a blank canvas
        assertThat(colourCount(img)).isGreaterThan(20);
    }

    static int colourCount(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    static boolean containsColour(BufferedImage img, int argb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == (argb & 0xFFFFFF)) {
                    return true;
                }
            }
        }
        return false;
    }

    static float[] noise(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.min(1, Math.max(0, 0.4 + 0.15 * r.nextGaussian() * (seed == 1 ? 1.5 : 1)));
        }
        return v;
    }

    /** Values in a few separated clusters: a histogram with runs of empty bins between them. */
    static float[] sparse() {
        float[] v = new float[3000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (i % 3 == 0 ? 0.05 + 0.02 * Math.sin(i) : i % 3 == 1 ? 0.5 : 0.9 + 0.03 * Math.cos(i));
        }
        return v;
    }

    /** A bright disk on a textured background; truth is the disk, prediction a shifted disk. */
    static Overlay.Example disk(int w, int h, double shift) {
        float[] px = new float[h * w];
        boolean[] truth = new boolean[h * w];
        boolean[] pred = new boolean[h * w];
        double cx = w / 2.0;
        double cy = h / 2.0;
        double r = Math.min(w, h) / 4.0;
        Random rnd = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Math.hypot(x - cx, y - cy);
                truth[y * w + x] = d < r;
                pred[y * w + x] = Math.hypot(x - cx - shift * r, y - cy) < r * 1.05;
                px[y * w + x] = (float) ((d < r ? 0.8 : 0.3) + 0.1 * Math.sin(x / 7.0) + 0.05 * rnd.nextGaussian());
            }
        }
        return new Overlay.Example(px, 1, h, w, truth, pred, new double[] {cx - r - 5, cy - r - 5, cx + r + 5, cy + r + 5});
    }
}

package org.umedsam.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.report.QualitativeExample;
import org.umedsam.report.RunFiles;

/** Regenerates every notebook figure and table from the recorded (synthetic) runs folder. */
class PaperFiguresTest {
    static final Path OUT = Path.of("target", "paper-figures-test");

    @Test
    void writesEveryFigureAndTableTheRunsAllow(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path runs = tmp.resolve("runs");
        copy(FigureRenderTest.RECORDS.resolve("runs"), runs);
        // qualitative examples for full-s0: two per modality for two modalities
        Path ex = runs.resolve("full-s0").resolve(RunFiles.EXAMPLES_DIR);
        Files.createDirectories(ex);
        StringBuilder index = new StringBuilder("case,modality,dsc,file\n");
        int k = 0;
        for (String m : List.of("mr", "ct")) {
            for (double shift : new double[] {0.05, 0.6}) {
                Overlay.Example e = FigureRenderTest.disk(96, 80, shift);
                QualitativeExample q = new QualitativeExample(m + k, m, 1 - shift, e.pixels(), 1, e.height(), e.width(),
                        e.truth(), e.prediction(), e.box());
                q.write(ex.resolve(m + k + ".npz"));
                index.append(m).append(k).append(',').append(m).append(',').append(1 - shift).append(',')
                        .append(m).append(k).append(".npz\n");
                k++;
            }
        }
        Files.writeString(ex.resolve(RunFiles.EXAMPLES_INDEX), index.toString());

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<String> done = PaperFigures.of(runs, OUT).all(new PrintStream(log, true, StandardCharsets.UTF_8));
        String skipped = log.toString(StandardCharsets.UTF_8);
        assertThat(done).contains("02-loss-terms-full", "02-epochs-full", "02-objective", "03-table3",
                "03-dsc-per-modality", "03-nsd-per-modality", "04-sigma", "04-effective-weights", "05-landscape-1d",
                "05-landscape-2d", "05-landscape-2d-all", "05-sharpness", "06-qualitative-good", "06-qualitative-challenging",
                "07-table4", "07-efficiency");
        assertThat(done).contains("00-table1-environment", "02-table2-protocol", "03-table3-statistics");
        // nothing is skipped: the qualitative figures use the configurations that kept examples
        assertThat(skipped.lines().filter(l -> l.startsWith("skipped"))).isEmpty();
        for (String f : List.of("03-table3.md", "03-table3.tex", "03-table3.csv", "05-landscape-2d.png",
                "05-landscape-2d-all.png", "05-sharpness-seeds.md", "06-qualitative-good.png", "07-table4.md",
                "07-efficiency.png")) {
            assertThat(OUT.resolve(f)).exists();
            assertThat(Files.size(OUT.resolve(f))).isGreaterThan(200);
        }
        String t3 = Files.readString(OUT.resolve("03-table3.md"));
        assertThat(t3).contains("| Modality | baseline DSC | baseline NSD | no-sam DSC | no-sam NSD | full DSC | full NSD |");
        // sharpness repeated ascent_increase in every row: shown once
        assertThat(Files.readString(OUT.resolve("05-sharpness-seeds.csv"))).startsWith(
                "configuration,seed,rho,loss,run_loss,random_increase,ascent_increase,batch\nbaseline,0,");
        // what the columns mean reaches the Markdown reader, not only the LaTeX caption
        assertThat(Files.readString(OUT.resolve("05-sharpness.md"))).contains("absolute L2 distance")
                .contains("run_loss: the run's own training objective").contains("fixed batch of 3 training samples");
        assertThat(Files.readString(OUT.resolve("05-sharpness-seeds.tex"))).contains("absolute L2 distance");
        assertThat(Files.readString(OUT.resolve("03-table3.tex"))).contains("unweighted mean over modalities");
        assertThat(Files.readString(OUT.resolve("02-table2-protocol.md"))).contains("An epoch is not a pass");
        // the table over seeds: one row per configuration, with its number of seeds
        List<String> summary = Files.readString(OUT.resolve("05-sharpness.csv")).lines().toList();
        assertThat(summary).hasSize(4);
        assertThat(summary.get(0)).isEqualTo(
                "configuration,seeds,rho,loss_mean,loss_sd,sharpness_mean,sharpness_sd,run_loss_mean,run_loss_sd");
        // baseline: seeds 0 and 1 with sharpness 0.16 and 0.176 -> mean 0.168, sd 0.016 / sqrt(2)
        String[] baseline = summary.get(1).split(",");
        assertThat(baseline[0]).isEqualTo("baseline");
        assertThat(baseline[1]).isEqualTo("2");
        assertThat(Double.parseDouble(baseline[5])).isCloseTo(0.168, within(1e-12));
        assertThat(Double.parseDouble(baseline[6])).isCloseTo(0.016 / Math.sqrt(2), within(1e-12));
        assertThat(Double.parseDouble(baseline[3])).isCloseTo(0.365, within(1e-12));
        assertThat(summary.get(2)).startsWith("no-sam,1,0.05,0.33,,0.12,,");
        assertThat(summary.get(3)).startsWith("full,2,");
        // one panel per configuration (3 columns) and a row per seed x direction pair (2 seeds x 2 pairs)
        java.awt.image.BufferedImage one = javax.imageio.ImageIO.read(OUT.resolve("05-landscape-2d.png").toFile());
        java.awt.image.BufferedImage all = javax.imageio.ImageIO.read(OUT.resolve("05-landscape-2d-all.png").toFile());
        assertThat(all.getWidth()).isGreaterThan(one.getWidth());
        assertThat(all.getHeight()).isGreaterThan(3 * one.getHeight());
    }

    /** With interleaved timings, 07-efficiency plots both configurations from them, as 07-table4 tabulates them. */
    @Test
    void efficiencyFigureComesFromTheInterleavedTimings(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path runs = tmp.resolve("runs");
        copy(FigureRenderTest.RECORDS.resolve("runs"), runs);
        Files.writeString(runs.resolve(org.umedsam.report.EfficiencyTable.FILE), """
                case,modality,size,objects,configuration,repeat,position,seconds
                2D_a,CT,100×100,1,baseline,0,0,0.5
                2D_a,CT,100×100,1,full,0,1,0.7
                2D_a,CT,100×100,1,full,1,0,0.9
                2D_a,CT,100×100,1,baseline,1,1,0.7
                3D_b,CT,4×100×100,2,baseline,0,1,2.0
                3D_b,CT,4×100×100,2,full,0,0,2.2
                3D_b,CT,4×100×100,2,full,1,1,2.4
                3D_b,CT,4×100×100,2,baseline,1,0,2.0
                """);
        PaperFigures figures = PaperFigures.of(runs, tmp.resolve("out"));
        org.knowm.xchart.XYChart chart = figures.efficiency();
        // the aggregate rows' ± is explained below the table
        figures.table4();
        assertThat(Files.readString(tmp.resolve("out").resolve("07-table4.md"))).contains("Aggregate rows");
        // the configurations' series (ChartStyle adds a hidden tick series, named with a leading space)
        assertThat(chart.getSeriesMap().keySet()).filteredOn(k -> !k.startsWith(" ")).containsExactly("baseline", "full");
        org.knowm.xchart.XYSeries full = chart.getSeriesMap().get("full");
        assertThat(full.getYData()).containsExactly(new double[] {0.8, 2.3}, within(1e-12));
        // x in pixels/voxels on log axes: 2D cases of 1e4 pixels and 3D cases of 1e6 voxels both stay readable
        assertThat(full.getXData()).containsExactly(new double[] {10_000, 40_000}, within(1e-9));
        assertThat(chart.getStyler().isXAxisLogarithmic()).isTrue();
        assertThat(chart.getStyler().isYAxisLogarithmic()).isTrue();
        // 2 timed cases of the synthetic runs' scored test cases
        int scored = org.umedsam.report.RunsDirectory.read(runs).scores().stringColumn("case").countUnique();
        assertThat(scored).isGreaterThan(2);
        assertThat(chart.getTitle()).contains("2 of " + scored + " test cases");
    }

    /** The landscape says its axes are filter-normalised (not rho's parameter L2) and how few samples it rests on. */
    @Test
    void landscapeStatesItsUnitsAndBatch(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path runs = tmp.resolve("runs");
        copy(FigureRenderTest.RECORDS.resolve("runs"), runs);
        org.knowm.xchart.XYChart chart = PaperFigures.of(runs, tmp.resolve("out")).landscape1d();
        // every synthetic run's sharpness.json records "batch": 3
        assertThat(chart.getYAxisTitle()).contains("fixed batch of 3 training samples");
        assertThat(chart.getXAxisTitle()).contains("filter-normalised units").contains("Li et al. 2018");
    }

    /** With the same study trained longer, {@code all} writes the training-length table; without, it is not there. */
    @Test
    void theStudiesSideBySideComesWithLongerRuns(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path runs = tmp.resolve("full");
        Path longer = tmp.resolve("long");
        copy(FigureRenderTest.RECORDS.resolve("runs"), runs);
        copy(FigureRenderTest.RECORDS.resolve("runs"), longer);
        org.umedsam.report.RunsDirectory shortRuns = org.umedsam.report.RunsDirectory.read(runs);
        Path out = tmp.resolve("out");
        PaperFigures figures = new PaperFigures(shortRuns, List.of(org.umedsam.report.RunsDirectory.read(longer)), out,
                FigureWriter.defaults());
        List<String> done = figures.all(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(done).contains("03-training-length", "05-sharpness-training-length");
        String label = shortRuns.stepsLabel();
        assertThat(label).endsWith(" steps (full)");
        // the synthetic runs have sharpness estimates: compared across the lengths too
        assertThat(Files.readString(out.resolve("05-sharpness-training-length.md"))).contains(label + " sharpness");
        assertThat(Files.readString(out.resolve("03-training-length.md"))).contains(label + " DSC")
                .contains(label.replace("(full)", "(long)") + " DSC");
        // without longer runs the table is neither made nor left behind from before
        List<String> alone = new PaperFigures(shortRuns, out, FigureWriter.defaults())
                .all(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(alone).doesNotContain("03-training-length");
        assertThat(out.resolve("03-training-length.md")).doesNotExist();
        assertThat(out.resolve("05-sharpness-training-length.md")).doesNotExist();
        assertThatThrownBy(() -> new PaperFigures(shortRuns, out, FigureWriter.defaults()).trainingLength())
                .hasMessageContaining("no longer runs");
        assertThatThrownBy(() -> new PaperFigures(shortRuns, out, FigureWriter.defaults()).sharpnessByLength())
                .hasMessageContaining("no longer runs");
    }

    /** With the same study training every parameter, {@code all} writes the side-by-side table by trained parameters. */
    @Test
    void theTrainedParametersTableComesWithEveryParameterRuns(@TempDir Path tmp) throws IOException {
        System.setProperty("java.awt.headless", "true");
        copy(FigureRenderTest.RECORDS.resolve("runs"), tmp.resolve("full"));
        copy(FigureRenderTest.RECORDS.resolve("runs"), tmp.resolve("full-all"));
        org.umedsam.report.RunsDirectory runs = org.umedsam.report.RunsDirectory.read(tmp.resolve("full"));
        Path out = tmp.resolve("out");
        List<String> done = new PaperFigures(runs, List.of(), org.umedsam.report.RunsDirectory.read(tmp.resolve("full-all")),
                out, FigureWriter.defaults()).all(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(done).contains("03-trained-parameters").doesNotContain("03-training-length");
        assertThat(Files.readString(out.resolve("03-trained-parameters.md"))).contains("mask decoder (full) DSC")
                .contains("every parameter (full-all) DSC");
        List<String> alone = new PaperFigures(runs, out, FigureWriter.defaults())
                .all(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(alone).doesNotContain("03-trained-parameters");
        assertThat(out.resolve("03-trained-parameters.md")).doesNotExist();
        assertThatThrownBy(() -> new PaperFigures(runs, out, FigureWriter.defaults()).trainedParameters())
                .hasMessageContaining("training every parameter");
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}

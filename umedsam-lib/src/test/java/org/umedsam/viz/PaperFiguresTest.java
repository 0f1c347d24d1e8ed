package org.umedsam.viz;

import static org.assertj.core.api.Assertions.assertThat;

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
                "05-landscape-2d", "05-sharpness", "06-qualitative-good", "06-qualitative-challenging", "07-table4",
                "07-efficiency");
        assertThat(done).contains("00-table1-environment", "02-table2-protocol", "03-table3-statistics");
        // nothing is skipped: the qualitative figures use the configurations that kept examples
        assertThat(skipped.lines().filter(l -> l.startsWith("skipped"))).isEmpty();
        for (String f : List.of("03-table3.md", "03-table3.tex", "03-table3.csv", "05-landscape-2d-no-sam.png",
                "05-landscape-2d-full.svg", "06-qualitative-good.png", "07-table4.md", "07-efficiency.png")) {
            assertThat(OUT.resolve(f)).exists();
            assertThat(Files.size(OUT.resolve(f))).isGreaterThan(200);
        }
        String t3 = Files.readString(OUT.resolve("03-table3.md"));
        assertThat(t3).contains("| Modality | baseline DSC | baseline NSD | no-sam DSC | no-sam NSD | full DSC | full NSD |");
        assertThat(Files.readString(OUT.resolve("05-sharpness.csv"))).startsWith(
                "configuration,seed,rho,loss,random_increase,ascent_increase,sharpness\nno-sam,0,");
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

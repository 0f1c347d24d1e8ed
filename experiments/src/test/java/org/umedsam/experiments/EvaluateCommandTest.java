package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvaluateCommandTest {
    static final Path FIXTURES = Path.of("..", "..", "shared", "fixtures", "challenge-metrics");

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void reproducesTheChallengeCsvOnTheFixtures(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isDirectory(FIXTURES), "fixtures absent: " + FIXTURES.toAbsolutePath());
        Path csv = tmp.resolve("out").resolve("metrics.csv");
        Run r = run("evaluate", "--segs", FIXTURES.resolve("segs").toString(), "--gts",
                FIXTURES.resolve("gts").toString(), "--csv", csv.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> ours = Files.readAllLines(csv);
        List<String> theirs = Files.readAllLines(FIXTURES.resolve("expected_metrics.csv"));
        assertThat(ours.get(0)).isEqualTo(theirs.get(0));
        assertThat(ours).hasSameSizeAs(theirs);
        for (int i = 1; i < theirs.size(); i++) {
            String[] a = ours.get(i).split(",");
            String[] b = theirs.get(i).split(",");
            assertThat(a[0]).isEqualTo(b[0]);
            assertThat(Double.parseDouble(a[1])).as(a[0] + " dsc").isCloseTo(Double.parseDouble(b[1]), within(1e-6));
            assertThat(Double.parseDouble(a[2])).as(a[0] + " nsd").isCloseTo(Double.parseDouble(b[2]), within(1e-6));
        }
        // per case lines, then the modality table (US 2D and CT 3D) and the overall row
        assertThat(r.out()).contains("2DBox_US_01000.npz").contains("3DBox_CT_01017.npz")
                .contains("per modality").contains("overall").contains("18 cases scored");
        assertThat(r.out().lines().filter(l -> l.startsWith("CT ") || l.startsWith("US ")).count()).isEqualTo(2);
    }

    @Test
    void missingPredictionIsReportedByName(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isDirectory(FIXTURES), "fixtures absent");
        Path segs = Files.createDirectories(tmp.resolve("segs"));
        Files.copy(FIXTURES.resolve("segs").resolve("2DBox_US_01000.npz"), segs.resolve("2DBox_US_01000.npz"));
        Run r = run("evaluate", "--segs", segs.toString(), "--gts", FIXTURES.resolve("gts").toString(), "--csv",
                tmp.resolve("m.csv").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("2DBox_US_01001.npz").contains("missing prediction");
    }

    @Test
    void everyCommandAnswersHelp() {
        for (String[] args : new String[][] {{"--help"}, {"train", "--help"}, {"evaluate", "--help"}, {"infer", "--help"},
                {"ablations", "--help"}, {"figures", "--help"}}) {
            Run r = run(args);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("Usage:");
        }
        assertThat(run("--help").out()).contains("train", "evaluate", "infer", "ablations", "figures");
    }
}

package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
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
    void scoresUint16LabelsOfMoreThan255Objects(@TempDir Path tmp) throws Exception {
        // 300 objects of 3x2 pixels on 60x100; the prediction misses object 300 and calls object 44 "344"
        int h = 60;
        int w = 100;
        short[] g = new short[h * w];
        for (int i = 0; i < 300; i++) {
            int x0 = (i % 20) * 5 + 1;
            int y0 = (i / 20) * 4 + 1;
            for (int y = y0; y < y0 + 2; y++) {
                for (int x = x0; x < x0 + 3; x++) {
                    g[y * w + x] = (short) (i + 1);
                }
            }
        }
        short[] s = g.clone();
        for (int p = 0; p < s.length; p++) {
            s[p] = s[p] == 300 ? 0 : s[p] == 44 ? 344 : s[p];
        }
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        Path segs = Files.createDirectories(tmp.resolve("segs"));
        Npz.write(gts.resolve("2DBox_Microscope_0001.npz"), Map.of("gts", NpyArray.ofUint16(g, h, w)), true);
        Npz.write(segs.resolve("2DBox_Microscope_0001.npz"), Map.of("segs", NpyArray.ofUint16(s, h, w)), true);
        Path csv = tmp.resolve("m.csv");
        Run r = run("evaluate", "--segs", segs.toString(), "--gts", gts.toString(), "--csv", csv.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String[] row = Files.readAllLines(csv).get(1).split(",");
        assertThat(row[0]).isEqualTo("2DBox_Microscope_0001.npz");
        assertThat(Double.parseDouble(row[1])).isCloseTo(298.0 / 300, within(1e-6));
        assertThat(Double.parseDouble(row[2])).isCloseTo(298.0 / 300, within(1e-6));
    }

    @Test
    void anEmptyGtsFolderIsBadInput(@TempDir Path tmp) throws Exception {
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        Path segs = Files.createDirectories(tmp.resolve("segs"));
        Path csv = tmp.resolve("out").resolve("m.csv");
        Run r = run("evaluate", "--segs", segs.toString(), "--gts", gts.toString(), "--csv", csv.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(r)).containsExactly("umedsam evaluate: " + gts
                + ": no .npz cases to score");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    /** A case without labels: DSC undefined and left out of the DSC means, NSD 0 and counted; both said. */
    @Test
    void aCaseWithoutLabelsIsExplained(@TempDir Path tmp) throws Exception {
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        Path segs = Files.createDirectories(tmp.resolve("segs"));
        byte[] g = new byte[16 * 16];
        for (int i = 0; i < 40; i++) {
            g[i] = 1;
        }
        Npz.write(gts.resolve("2DBox_US_0001.npz"), Map.of("gts", NpyArray.ofUint8(g, 16, 16)), true);
        Npz.write(segs.resolve("2DBox_US_0001.npz"), Map.of("segs", NpyArray.ofUint8(g, 16, 16)), true);
        Npz.write(gts.resolve("2DBox_US_0002.npz"), Map.of("gts", NpyArray.ofUint8(new byte[256], 16, 16)), true);
        Npz.write(segs.resolve("2DBox_US_0002.npz"), Map.of("segs", NpyArray.ofUint8(new byte[256], 16, 16)), true);
        Run r = run("evaluate", "--segs", segs.toString(), "--gts", gts.toString(), "--csv",
                tmp.resolve("m.csv").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("null").doesNotContain("NaN");
        assertThat(r.out().lines().filter(l -> l.startsWith("2DBox_US_0002.npz")).findFirst().orElseThrow())
                .contains("n/a").contains("(DSC undefined: no labels in gts; NSD 0 by the challenge's rule)");
        assertThat(r.out()).contains("note: 1 case has an undefined DSC (no labels in gts, or a class 1..max(gts) in "
                + "neither mask): left out of the DSC means, NSD 0 by the challenge's rule and counted in the NSD means");
        // per modality: 2 cases, DSC mean 1 over one case (its SD n/a), NSD mean 0.5 over both
        String us = r.out().lines().filter(l -> l.startsWith("US ")).findFirst().orElseThrow();
        assertThat(us.trim().split("\\s+")).startsWith("US", "false", "2", "1.0000", "n/a", "0.5000");
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

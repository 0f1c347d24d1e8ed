package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * The CLI against careless input (issue 15): nothing already written is lost, outputs are checked
 * before any long work, and every refusal is one line with exit code 2 (a stack trace only with
 * {@code --debug}). None of these runs loads a model: the checks come first.
 */
class CarelessInputCliTest {
    @TempDir
    Path tmp;

    Path writeCase(Path dir, String name, boolean gts) throws Exception {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[16 * 16 * 3], 16, 16, 3));
        if (gts) {
            byte[] g = new byte[16 * 16];
            g[5 * 16 + 5] = 1;
            m.put("gts", NpyArray.ofUint8(g, 16, 16));
        } else {
            m.put("boxes", NpyArray.ofInt64(new long[] {2, 2, 10, 10}, 1, 4));
        }
        Path f = dir.resolve(name);
        Npz.write(f, m, true);
        return f;
    }

    /** The lines of stderr that are not progress-bar redraws. */
    static List<String> errorLines(EvaluateCommandTest.Run r) {
        return Arrays.stream(r.err().split("\\R")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void inferRefusesToWriteIntoItsInputFolderAndLosesNothing() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path c = writeCase(in, "2DBox_US_0001.npz", false);
        byte[] before = Files.readAllBytes(c);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("none.pth").toString(),
                "--input", in.toString(), "--output", in.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).containsExactly("umedsam infer: --output " + in + " is the --input folder: predictions "
                + "would replace the input cases; choose another folder");
        assertThat(Files.readAllBytes(c)).isEqualTo(before);
        // the same folder reached through another path is the same folder
        EvaluateCommandTest.Run dotted = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("none.pth").toString(),
                "--input", in.toString(), "--output", in.resolve("..").resolve("in").toString());
        assertThat(dotted.exit()).isEqualTo(2);
        assertThat(dotted.err()).contains("is the --input folder");
    }

    @Test
    void inferKeepsExistingPredictionsUnlessOverwriteIsGiven() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        writeCase(in, "2DBox_US_0001.npz", false);
        writeCase(in, "2DBox_US_0002.npz", false);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path old = Files.writeString(out.resolve("2DBox_US_0002.npz"), "an earlier prediction");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("none.pth").toString(),
                "--input", in.toString(), "--output", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).containsExactly("umedsam infer: " + old + " already exists; pass --overwrite to "
                + "replace it");
        assertThat(Files.readString(old)).isEqualTo("an earlier prediction");
        // with --overwrite the output checks pass and the (missing) checkpoint is what stops it, before any case
        EvaluateCommandTest.Run o = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("none.pth").toString(),
                "--input", in.toString(), "--output", out.toString(), "--overwrite");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(errorLines(o)).containsExactly("umedsam infer: " + tmp.resolve("none.pth") + ": no such checkpoint file");
    }

    @Test
    void inferChecksTheOutputIsWritableBeforeLoadingTheModel() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        writeCase(in, "2DBox_US_0001.npz", false);
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("none.pth").toString(),
                "--input", in.toString(), "--output", file.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).containsExactly("umedsam infer: --output " + file + ": exists and is not a folder");
    }

    @Test
    void numericOptionsAreValidated() throws Exception {
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        writeCase(gts, "2DBox_US_0001.npz", true);
        Path csv = tmp.resolve("m.csv");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("evaluate", "--segs", gts.toString(), "--gts", gts.toString(),
                "--csv", csv.toString(), "--decimals", "-3");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).containsExactly("umedsam evaluate: --decimals must be 0..17, got -3 (see umedsam "
                + "evaluate --help)");
        assertThat(csv).doesNotExist();
        EvaluateCommandTest.Run t = EvaluateCommandTest.run("infer", "--checkpoint", "x.pth", "--input", gts.toString(),
                "--output", tmp.resolve("o").toString(), "--cache-slices", "-1");
        assertThat(t.exit()).isEqualTo(2);
        assertThat(t.err()).contains("--cache-slices must be 0 or more, got -1");
    }

    @Test
    void evaluateNeverWritesItsCsvOverAnInput() throws Exception {
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        Path c = writeCase(gts, "2DBox_US_0001.npz", true);
        byte[] before = Files.readAllBytes(c);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("evaluate", "--segs", gts.toString(), "--gts", gts.toString(),
                "--csv", c.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("is the input file");
        assertThat(Files.readAllBytes(c)).isEqualTo(before);
    }

    Path writeSegs(Path dir, String name) throws Exception {
        byte[] s = new byte[16 * 16];
        s[5 * 16 + 5] = 1;
        Path f = dir.resolve(name);
        Npz.write(f, Map.of("segs", NpyArray.ofUint8(s, 16, 16)), true);
        return f;
    }

    /** One case in {@code gts} and its prediction in {@code segs} (both made); returns {@code segs}. */
    private Path oneScoredCase(Path gts, Path segs) throws Exception {
        writeCase(Files.createDirectories(gts), "2DBox_US_0001.npz", true);
        writeSegs(Files.createDirectories(segs), "2DBox_US_0001.npz");
        return segs;
    }

    @Test
    void evaluateKeepsExistingCsvFilesUnlessOverwriteIsGiven() throws Exception {
        Path gts = tmp.resolve("gts");
        Path segs = oneScoredCase(gts, tmp.resolve("segs"));
        Path keep = Files.writeString(tmp.resolve("keep.csv"), "precious");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("evaluate", "--gts", gts.toString(), "--segs",
                segs.toString(), "--csv", keep.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).containsExactly("umedsam evaluate: " + keep + " already exists; pass --overwrite to "
                + "replace it");
        assertThat(r.out()).doesNotContain("2DBox_US_0001.npz");
        assertThat(Files.readString(keep)).isEqualTo("precious");
        // the per-case table is an output too
        EvaluateCommandTest.Run p = EvaluateCommandTest.run("evaluate", "--gts", gts.toString(), "--segs",
                segs.toString(), "--csv", tmp.resolve("new.csv").toString(), "--per-case-csv", keep.toString());
        assertThat(p.exit()).isEqualTo(2);
        assertThat(errorLines(p)).containsExactly("umedsam evaluate: " + keep + " already exists; pass --overwrite to "
                + "replace it");
        assertThat(tmp.resolve("new.csv")).doesNotExist();
        assertThat(Files.readString(keep)).isEqualTo("precious");
        // a refused run makes no folder for its other output either
        EvaluateCommandTest.Run q = EvaluateCommandTest.run("evaluate", "--gts", gts.toString(), "--segs",
                segs.toString(), "--csv", tmp.resolve("made").resolve("new.csv").toString(), "--per-case-csv", keep.toString());
        assertThat(q.exit()).isEqualTo(2);
        assertThat(tmp.resolve("made")).doesNotExist();
        // with --overwrite it is replaced
        EvaluateCommandTest.Run o = EvaluateCommandTest.run("evaluate", "--gts", gts.toString(), "--segs",
                segs.toString(), "--csv", keep.toString(), "--overwrite");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(Files.readAllLines(keep).get(0)).isEqualTo("case,dsc,nsd");
    }

    @Test
    void evaluateRefusesOneFileForBothTables() throws Exception {
        Path gts = tmp.resolve("gts");
        Path segs = oneScoredCase(gts, tmp.resolve("segs"));
        Path csv = tmp.resolve("m.csv");
        for (String[] extra : new String[][] {{}, {"--overwrite"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("evaluate", "--gts",
                    gts.toString(), "--segs", segs.toString(), "--csv", csv.toString(), "--per-case-csv",
                    tmp.resolve(".").resolve("m.csv").toString()), Arrays.stream(extra)).toArray(String[]::new);
            EvaluateCommandTest.Run r = EvaluateCommandTest.run(args);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(errorLines(r)).singleElement().asString().startsWith("umedsam evaluate: --csv and "
                    + "--per-case-csv both name " + csv);
            assertThat(csv).doesNotExist();
        }
    }

    @Test
    void aRunNamedDotDotIsRefused() throws Exception {
        Path config = Path.of("configs", "baseline.json");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("train", "--config", config.toString(), "--name", "..",
                "--runs", tmp.resolve("runs").toString(), "--data", tmp.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).hasSize(1);
        assertThat(r.err()).contains("name must be letters, digits").contains("got '..'");
        assertThat(tmp.resolve("runs")).doesNotExist();
    }

    @Test
    void trainChecksEveryCaseBeforeTheFirstStep() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data").resolve("train"));
        writeCase(data, "2DBox_US_0001.npz", true);
        Path bad = writeCase(data, "2DBox_US_0002.npz", true);
        byte[] b = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(b, b.length / 2));
        writeCase(data, "2DBox_US_0003.npz", true);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("train", "--config", "configs/baseline.json",
                "--runs", tmp.resolve("runs").toString(), "--data", data.getParent().toString(), "--no-progress");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).hasSize(1);
        assertThat(r.err()).contains(bad.toString()).contains("checked before training; --skip-bad-cases");
        assertThat(tmp.resolve("runs")).isEmptyDirectory();
    }

    @Test
    void debugPrintsTheStackTraceAndOtherwiseOneLine() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        writeCase(in, "2DBox_US_0001.npz", false);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("infer", "--checkpoint", tmp.resolve("none.pth").toString(),
                "--input", in.toString(), "--output", in.toString(), "--debug");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("java.io.IOException").contains("\tat org.umedsam.experiments.");
        assertThat(errorLines(r).get(errorLines(r).size() - 1)).startsWith("umedsam infer: --output");
    }

    @Test
    void resumingARunThatDoesNotExistCreatesNothing() {
        Path runs = tmp.resolve("runs");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("train", "--resume", "typo", "--runs", runs.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(errorLines(r)).containsExactly("umedsam train: --resume typo: no such run folder (nor "
                + runs.resolve("typo") + ")");
        assertThat(runs).doesNotExist();
    }
}

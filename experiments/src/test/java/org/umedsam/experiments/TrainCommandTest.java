package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.train.RunFolder;
import org.umedsam.train.RunInfo;
import org.umedsam.train.TrainConfig;

/** {@code umedsam train} option handling that stops before any model loads. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    /** A run folder (config.json, run.json) that records {@code data} as its data folder. */
    private Path runTrainedOn(Path data) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("runs").resolve("r"));
        TrainConfig.defaults().withName("r").write(run.resolve(RunFolder.CONFIG));
        RunInfo.writeNew(run.resolve(RunFolder.RUN), TrainConfig.defaults(), "r", List.of(), 0, data);
        // only its existence matters here: every command below stops before the checkpoint is read
        Files.writeString(Files.createDirectories(run.resolve(RunFolder.CHECKPOINT_DIR)).resolve(RunFolder.LAST), "x");
        return run;
    }

    @Test
    void aResumeOnAnotherDataFolderIsRefusedUnlessAskedFor() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Path run = runTrainedOn(a);
        assertThat(RunInfo.recordedData(run.resolve(RunFolder.RUN))).isEqualTo(a.toAbsolutePath().normalize());
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("train", "--resume", run.toString(), "--data", b.toString(),
                "--no-progress");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(r)).singleElement().asString()
                .startsWith("umedsam train: --data " + b.toAbsolutePath() + " is not the data folder this run was"
                        + " trained on (" + a.toAbsolutePath() + ", recorded in ")
                .contains("--other-data");
        // with --other-data it goes on, on b (which has no cases: that is what stops it), with a warning
        EvaluateCommandTest.Run o = EvaluateCommandTest.run("train", "--resume", run.toString(), "--data", b.toString(),
                "--other-data", "--no-progress");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("WARNING: resuming on " + b.toAbsolutePath())
                .contains(b + ": no training .npz cases found");
    }

    @Test
    void aResumeWithoutDataUsesTheRecordedFolder() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path run = runTrainedOn(a);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("train", "--resume", run.toString(), "--no-progress");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("resuming on the run's data folder " + a.toAbsolutePath() + " (recorded in ")
                .contains(a.toAbsolutePath() + ": no training .npz cases found");
    }

    @Test
    void stepsMustBeAtLeastOneOnTheCommandLine() {
        for (String cmd : List.of("train", "pretrain")) {
            for (String n : List.of("0", "-1")) {
                EvaluateCommandTest.Run r = cmd.equals("train")
                        ? EvaluateCommandTest.run("train", "--config", "configs/baseline.json", "--steps", n,
                                "--runs", tmp.resolve("runs").toString(), "--data", tmp.toString())
                        : EvaluateCommandTest.run("pretrain", "--steps", n, "--runs", tmp.resolve("runs").toString(),
                                "--data", tmp.toString());
                assertThat(r.exit()).as(cmd + " " + n).isEqualTo(2);
                assertThat(CarelessInputCliTest.errorLines(r)).as(cmd + " " + n).containsExactly("umedsam " + cmd
                        + ": --steps must be >= 1, got " + n + " (see umedsam " + cmd + " --help)");
            }
        }
        assertThat(tmp.resolve("runs")).doesNotExist();
    }

    @Test
    void aMissingConfigOrRunFolderIsNamedAsSuch() throws Exception {
        Path nope = tmp.resolve("nope.json");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("train", "--config", nope.toString(),
                "--runs", tmp.resolve("runs").toString(), "--data", tmp.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(r)).containsExactly("umedsam train: " + nope
                + ": no such configuration file");
        Path half = Files.createDirectories(tmp.resolve("half"));
        for (String cmd : List.of("train", "pretrain")) {
            EvaluateCommandTest.Run h = EvaluateCommandTest.run(cmd, "--resume", half.toString());
            assertThat(h.exit()).as(cmd).isEqualTo(2);
            assertThat(CarelessInputCliTest.errorLines(h)).as(cmd).containsExactly("umedsam " + cmd + ": --resume "
                    + half + ": " + half + " is not a run folder (it has no config.json)");
        }
    }
}

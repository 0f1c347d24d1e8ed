package org.umedsam.analysis.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local executor's scheduling, with a shell script standing in for {@code java} that records each task's
 * arguments and OpenMP threads (the real jar: {@code experiments/slurm/test-local-cluster}).
 */
class LocalExecutorTest {
    @TempDir
    Path tmp;

    private Path fakeJava(String failWhen) throws Exception {
        Path calls = tmp.resolve("calls.txt");
        Path exe = tmp.resolve("java");
        Files.writeString(exe, "#!/bin/sh\necho \"$OMP_NUM_THREADS $*\" >> '" + calls + "'\n"
                + "case \"$*\" in *'" + failWhen + "'*) exit 3 ;; esac\nexit 0\n");
        exe.toFile().setExecutable(true);
        return exe;
    }

    private GridStudy study() {
        return new GridStudy("smoke", tmp.resolve("data"), tmp.resolve("configs"), tmp.resolve("runs"));
    }

    @Test
    void preparesThenTrainsOnlyUnfinishedRunsThenFinishes() throws Exception {
        GridStudy s = study();
        Path done = s.runsDir().resolve("no-sam-s0");
        Files.createDirectories(done);
        Files.writeString(done.resolve("scores.csv"), "case\n");
        GridPlan plan = GridPlan.of(s, new GridTask.Finish(null, 72));
        assertThat(plan.prepare()).isTrue();
        assertThat(plan.toTrain()).extracting(GridRun::name).containsExactly("full-s0");
        assertThat(plan.summary()).contains("1 of 2 runs", "skipping finished no-sam-s0");

        TaskLauncher l = new TaskLauncher(fakeJava("no-such-task").toString(), List.of(), tmp.resolve("umedsam.jar"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new LocalExecutor(l, 2, 1, 2, new PrintStream(log, true)).execute(plan);
        List<String> calls = Files.readAllLines(tmp.resolve("calls.txt"));
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0)).startsWith("2 -XX:ActiveProcessorCount=2 -jar ").contains(" ablations prepare --profile smoke");
        assertThat(calls.get(1)).startsWith("1 -XX:ActiveProcessorCount=1 ").contains("run-one --config full --seed 0");
        assertThat(calls.get(2)).startsWith("2 ").contains("finish --dpi 72 --no-figures");
        assertThat(LocalExecutor.logs(s).resolve("full-s0.log")).exists();
        assertThat(log.toString()).contains("full-s0 done in");
    }

    @Test
    void aFailedRunIsReportedAndFinishIsSkipped() throws Exception {
        GridStudy s = study();
        TaskLauncher l = new TaskLauncher(fakeJava("--config full").toString(), List.of(), tmp.resolve("umedsam.jar"));
        GridPlan plan = new GridPlan(s, false, s.grid(), List.of(), new GridTask.Finish(null, 72));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertThatThrownBy(() -> new LocalExecutor(l, 2, 1, 2, new PrintStream(log, true)).execute(plan))
                .hasMessageContaining("runs failed: full-s0").hasMessageContaining("run the grid again");
        List<String> calls = Files.readAllLines(tmp.resolve("calls.txt"));
        assertThat(calls).hasSize(2).noneMatch(c -> c.contains(" finish "));
        assertThat(log.toString()).contains("full-s0 FAILED (exit 3");
    }

    @Test
    void runStatesFollowTheFolder() throws Exception {
        Path run = tmp.resolve("r");
        assertThat(RunState.of(run)).isEqualTo(RunState.NOT_STARTED);
        Files.createDirectories(run.resolve("checkpoint"));
        assertThat(RunState.of(run)).isEqualTo(RunState.STARTED);
        Files.writeString(run.resolve("checkpoint").resolve("last.ckpt"), "x");
        assertThat(RunState.of(run)).isEqualTo(RunState.CHECKPOINTED);
        Files.writeString(run.resolve("scores.csv"), "x");
        assertThat(RunState.of(run)).isEqualTo(RunState.FINISHED);
        GridStatus st = GridStatus.ofFolders(study());
        assertThat(st.runsFinished()).isFalse();
        assertThat(st.table()).contains("no-sam-s0", "NOT_STARTED");
    }
}

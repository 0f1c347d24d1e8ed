package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.analysis.grid.GridStudy;
import org.umedsam.analysis.grid.GridTask;
import picocli.CommandLine;

/** {@code umedsam ablations}' executor options and the task subcommands its executors start. */
class AblationsCommandTest {
    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void executorOptionsAreCheckedBeforeAnythingRuns() {
        StringWriter err = new StringWriter();
        String runs = tmp.resolve("runs").toString();
        assertThat(run(new StringWriter(), err, "ablations", "--runs", runs, "--parallel", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--parallel and --threads must be >= 1");
        assertThat(run(new StringWriter(), err, "ablations", "--runs", runs, "--mem", "4G")).isEqualTo(2);
        assertThat(err.toString()).contains("need --executor slurm");
        assertThat(run(new StringWriter(), err, "ablations", "--runs", runs, "--executor", "slurm", "--parallel", "2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("use --cpus-per-task");
        assertThat(run(new StringWriter(), err, "ablations", "--runs", runs, "--executor", "slurm", "--mem", "4 GB"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("memory must be");
        assertThat(tmp.resolve("runs")).doesNotExist();
    }

    @Test
    void localStatusShowsEveryRunFromItsFolder() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "ablations", "--profile", "smoke", "--runs", tmp.resolve("runs").toString(), "--status");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("no-sam-s0", "full-s0", "NOT_STARTED");
    }

    @Test
    void everyGridTaskParsesAsItsHiddenSubcommand() {
        GridStudy study = new GridStudy("smoke", tmp.resolve("data"), tmp.resolve("configs"), tmp.resolve("runs"));
        for (GridTask task : List.of(new GridTask.Prepare(), new GridTask.Train(study.grid().get(1)),
                new GridTask.Finish(tmp.resolve("figs"), 90), new GridTask.Finish(null, 72))) {
            List<String> args = new ArrayList<>(List.of("ablations"));
            args.addAll(task.arguments());
            args.addAll(study.arguments());
            CommandLine.ParseResult pr = Main.commandLine().parseArgs(args.toArray(String[]::new));
            CommandLine.ParseResult sub = pr.subcommand().subcommand();
            assertThat(sub.commandSpec().name()).isEqualTo(task.arguments().get(0));
            Object command = sub.commandSpec().userObject();
            StudyOptions o;
            if (command instanceof AblationTasks.RunOne r) {
                assertThat(r.configuration).isEqualTo("full");
                assertThat(r.seed).isZero();
                o = r.options;
            } else if (command instanceof AblationTasks.Finish f) {
                assertThat(f.dpi).isEqualTo(((GridTask.Finish) task).dpi());
                assertThat(f.noFigures).isEqualTo(((GridTask.Finish) task).figures() == null);
                o = f.options;
            } else {
                o = ((AblationTasks.Prepare) command).options;
            }
            assertThat(o.study(pr.subcommand().commandSpec().commandLine())).isEqualTo(study);
        }
    }
}

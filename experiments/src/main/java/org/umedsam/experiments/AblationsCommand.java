package org.umedsam.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.umedsam.analysis.AblationStudy;
import org.umedsam.analysis.grid.GridExecutor;
import org.umedsam.analysis.grid.GridPlan;
import org.umedsam.analysis.grid.GridStatus;
import org.umedsam.analysis.grid.GridStudy;
import org.umedsam.analysis.grid.GridTask;
import org.umedsam.analysis.grid.LocalExecutor;
import org.umedsam.analysis.grid.SlurmExecutor;
import org.umedsam.analysis.grid.SlurmOptions;
import org.umedsam.analysis.grid.TaskLauncher;
import org.umedsam.viz.FigureWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code umedsam ablations}: trains every ablation configuration x seed of a profile on the default
 * data into {@code <runs>/<profile>/<configuration>-s<seed>/}, scores each run on the test split,
 * computes loss landscapes, then writes every figure and table ({@link FiguresCommand}).
 * Finished runs are reused, interrupted ones resumed; nothing is overwritten silently.
 *
 * <p>By default in this process, one run after another. With {@code --parallel} or {@code --threads} the runs
 * are child processes ({@link LocalExecutor}); with {@code --executor slurm} a SLURM job array
 * ({@link SlurmExecutor}). Those run the hidden subcommands of {@link AblationTasks}.
 */
@Command(name = "ablations", mixinStandardHelpOptions = true,
        description = "Train and evaluate every ablation configuration x seed, then write all figures and tables.",
        subcommands = {AblationTasks.Prepare.class, AblationTasks.RunOne.class, AblationTasks.Finish.class})
public final class AblationsCommand implements Callable<Integer> {
    /** Where the grid's runs execute. */
    enum Executor { local, slurm }

    @Mixin
    StudyOptions study;

    @Option(names = "--figures", paramLabel = "DIR", description = "where figures and tables go (default: <checkout>/figures)")
    Path figures;

    @Option(names = "--no-landscapes", description = "train and evaluate only, no landscapes and no figures (a later "
            + "call reuses the finished runs and adds them)")
    boolean noLandscapes;

    @Option(names = "--no-figures", description = "train and evaluate only")
    boolean noFigures;

    @Option(names = "--dpi", defaultValue = "72", description = "PNG resolution of the figures (default: ${DEFAULT-VALUE})")
    int dpi;

    @Option(names = "--executor", defaultValue = "local",
            description = "local (this machine, default) or slurm (a job array submitted with sbatch)")
    Executor executor;

    @Option(names = "--status", description = "show each run's state (run folders; with slurm also squeue/sacct) and exit")
    boolean status;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "local: runs at once, each a child process with its share of the cores (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--threads", paramLabel = "N",
            description = "local: threads per run (default: cores / --parallel); runs then are child processes")
    Integer threads;

    @Option(names = "--jar", paramLabel = "FILE", description = "the umedsam.jar the tasks run (default: this one)")
    Path jar;

    @Option(names = "--java", paramLabel = "EXE", description = "the java the tasks run (default: this JVM's; slurm: java on the nodes' PATH)")
    String java;

    @Option(names = "--jvm-option", paramLabel = "OPT", description = "an option for every task's JVM, e.g. --jvm-option=-Xmx6g (repeatable)")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--partition", paramLabel = "NAME", description = "slurm: partition (default: the cluster's)")
    String partition;

    @Option(names = "--cpus-per-task", paramLabel = "N", description = "slurm: CPUs (threads) per run (default: 2)")
    Integer cpusPerTask;

    @Option(names = "--mem", paramLabel = "SIZE", description = "slurm: memory per run, e.g. 8G (default)")
    String memory;

    @Option(names = "--time", paramLabel = "LIMIT", description = "slurm: time limit per run, e.g. 02:00:00 (default)")
    String time;

    @Option(names = "--sbatch-line", paramLabel = "OPT", description = "slurm: one more #SBATCH option, e.g. --account=lab (repeatable)")
    List<String> sbatchLines = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AblationsCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        GridStudy grid = study.study(spec.commandLine());
        checkOptions();
        if (dpi < 1 || dpi > 1200) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dpi must be 1..1200, got " + dpi);
        }

        if (!status && executor == Executor.local && parallel == 1 && threads == null) {
            checkOutputs();
            return inProcess(grid.open(System.out));
        }
        try {
            if (status) {
                GridStatus s = executor == Executor.local ? GridStatus.ofFolders(grid) : SlurmExecutor.statusOf(grid);
                spec.commandLine().getOut().print(s.table());
                spec.commandLine().getOut().flush();
                return 0;
            }
            GridExecutor ex = executor(grid);
            checkOutputs();
            ex.execute(GridPlan.of(grid, new GridTask.Finish(noFigures ? null : figuresDir(), dpi)));
        } catch (IOException e) {
            System.err.println("umedsam ablations: " + e.getMessage());
            return 1;
        }
        if (executor == Executor.slurm) {
            System.out.println("watch it with: umedsam ablations --executor slurm --status "
                    + String.join(" ", grid.arguments()));
        }
        return 0;
    }

    /** One run after another in this JVM, as before there were executors. */
    private int inProcess(AblationStudy s) throws IOException {
        Path runsDir = noLandscapes ? s.trainAndEvaluateAll() : s.runAll();
        // the exit summary says when the results cannot carry conclusions (degenerate scores, unmoved sigmas, ...)
        System.out.println(org.umedsam.report.ResultChecks.check(org.umedsam.report.RunsDirectory.read(runsDir)));
        if (noFigures || noLandscapes) {
            return 0;
        }
        return FiguresCommand.write(runsDir, figuresDir(), s.dataRoot(), new FigureWriter(dpi, true), System.out);
    }

    /** Output locations, checked after the options and before any long work. */
    private void checkOutputs() throws IOException {
        OutputLocations.requireWritableFolder(study.runs != null ? study.runs : Paths.root().resolve("runs"), "--runs");
        if (!noFigures) {
            OutputLocations.requireWritableFolder(figuresDir(), "--figures");
        }
    }

    private Path figuresDir() {
        return figures != null ? figures : Paths.root().resolve("figures");
    }

    private void checkOptions() {
        CommandLine cmd = spec.commandLine();
        if (parallel < 1 || (threads != null && threads < 1)) {
            throw new CommandLine.ParameterException(cmd, "--parallel and --threads must be >= 1");
        }
        boolean slurmOptions = partition != null || cpusPerTask != null || memory != null || time != null
                || !sbatchLines.isEmpty();
        if (executor == Executor.local && slurmOptions) {
            throw new CommandLine.ParameterException(cmd,
                    "--partition, --cpus-per-task, --mem, --time and --sbatch-line need --executor slurm");
        }
        if (noLandscapes && (executor != Executor.local || parallel != 1 || threads != null)) {
            throw new CommandLine.ParameterException(cmd, "--no-landscapes is for the in-process run (no --executor, "
                    + "--parallel or --threads)");
        }
        if (executor == Executor.slurm && (parallel != 1 || threads != null)) {
            throw new CommandLine.ParameterException(cmd,
                    "--parallel and --threads are for --executor local; on SLURM use --cpus-per-task");
        }
    }

    private GridExecutor executor(GridStudy grid) {
        CommandLine cmd = spec.commandLine();
        if (executor == Executor.local) {
            int cores = Runtime.getRuntime().availableProcessors();
            return new LocalExecutor(launcher(null), parallel, threads != null ? threads : Math.max(1, cores / parallel),
                    cores, System.out);
        }
        SlurmOptions d = SlurmOptions.defaults();
        SlurmOptions o;
        try {
            o = new SlurmOptions(partition != null ? partition : d.partition(),
                    cpusPerTask != null ? cpusPerTask : d.cpusPerTask(), memory != null ? memory : d.memory(),
                    time != null ? time : d.time(), sbatchLines, java != null ? java : d.java());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        return new SlurmExecutor(launcher(o.java()), o, System.out);
    }

    /** The jar and java the tasks start; {@code defaultJava} null means this JVM's. */
    private TaskLauncher launcher(String defaultJava) {
        Path j = jar != null ? jar : TaskLauncher.runningJar();
        if (j == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "not started from umedsam.jar: give the jar the tasks run with --jar");
        }
        TaskLauncher l = TaskLauncher.of(j).plusJvmOptions(jvmOptions);
        String exe = java != null ? java : defaultJava;
        return exe == null ? l : l.withJava(exe);
    }
}

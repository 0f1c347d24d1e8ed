package org.umedsam.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.umedsam.analysis.AblationStudy;
import org.umedsam.analysis.grid.GridRun;
import org.umedsam.analysis.grid.GridStudy;
import org.umedsam.analysis.grid.RunState;
import org.umedsam.viz.FigureWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The hidden subcommands of {@code umedsam ablations} that a grid's processes run, one step each
 * ({@link org.umedsam.analysis.grid.GridTask}): {@code prepare}, {@code run-one}, {@code finish}.
 */
final class AblationTasks {
    private AblationTasks() {
    }

    /** {@code ablations prepare}: the data and the warm start. */
    @Command(name = "prepare", hidden = true, mixinStandardHelpOptions = true,
            description = "Grid task: build the data and train the warm start every run shares.")
    static final class Prepare implements Callable<Integer> {
        @Mixin
        StudyOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            options.study(spec.commandLine()).open(System.out).prepare();
            return 0;
        }
    }

    /** {@code ablations run-one}: trains (or resumes, or reuses) and scores one configuration x seed. */
    @Command(name = "run-one", hidden = true, mixinStandardHelpOptions = true,
            description = "Grid task: train (or resume) and score one configuration and seed.")
    static final class RunOne implements Callable<Integer> {
        @Mixin
        StudyOptions options;

        @Option(names = "--config", required = true, description = "configuration name")
        String configuration;

        @Option(names = "--seed", required = true, description = "seed")
        long seed;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            GridStudy study = options.study(spec.commandLine());
            if (study.grid().stream().noneMatch(r -> r.configuration().equals(configuration) && r.seed() == seed)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "profile " + study.profile()
                        + " has no run " + configuration + " with seed " + seed);
            }
            study.open(System.out).run(configuration, seed);
            return 0;
        }
    }

    /** {@code ablations finish}: every run must be finished; landscapes, then every figure and table. */
    @Command(name = "finish", hidden = true, mixinStandardHelpOptions = true,
            description = "Grid task: check every run finished, add the landscapes, write every figure and table.")
    static final class Finish implements Callable<Integer> {
        @Mixin
        StudyOptions options;

        @Option(names = "--figures", paramLabel = "DIR", description = "where figures and tables go (default: <checkout>/figures)")
        Path figures;

        @Option(names = "--no-figures", description = "landscapes only")
        boolean noFigures;

        @Option(names = "--dpi", defaultValue = "72", description = "PNG resolution of the figures (default: ${DEFAULT-VALUE})")
        int dpi;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            GridStudy study = options.study(spec.commandLine());
            List<String> missing = new ArrayList<>();
            for (GridRun r : study.grid()) {
                if (RunState.of(r.dir(study)) != RunState.FINISHED) {
                    missing.add(r.name() + " (" + RunState.of(r.dir(study)) + ")");
                }
            }
            if (!missing.isEmpty()) {
                System.err.println("umedsam: " + study.runsDir() + ": unfinished runs " + String.join(", ", missing)
                        + "; nothing written. Submit the grid again to finish them.");
                return 1;
            }
            AblationStudy s = study.open(System.out);
            s.baseModelScores();
            s.landscapes();
            System.out.println(org.umedsam.report.ResultChecks.check(org.umedsam.report.RunsDirectory.read(s.runsDir())));
            if (noFigures) {
                return 0;
            }
            return FiguresCommand.write(s.runsDir(), figures != null ? figures : Paths.root().resolve("figures"),
                    s.dataRoot(), new FigureWriter(dpi, true), System.out);
        }
    }
}

package org.umedsam.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.umedsam.analysis.AblationSettings;
import org.umedsam.analysis.AblationStudy;
import org.umedsam.viz.FigureWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code umedsam ablations}: trains every ablation configuration x seed of a profile on the default
 * data into {@code <runs>/<profile>/<configuration>-s<seed>/}, scores each run on the test split,
 * computes loss landscapes, then writes every figure and table ({@link FiguresCommand}).
 * Finished runs are reused, interrupted ones resumed; nothing is overwritten silently.
 */
@Command(name = "ablations", mixinStandardHelpOptions = true,
        description = "Train and evaluate every ablation configuration x seed, then write all figures and tables.")
public final class AblationsCommand implements Callable<Integer> {
    @Option(names = "--profile", defaultValue = "quick",
            description = "smoke (CI, minutes), quick (default, < 20 min on 2 cores) or full (4 configurations x 3 seeds, < 2 h);"
                    + " with the suffix -all (e.g. quick-all) every parameter trains, not only the mask decoder and sigmas")
    String profile;

    @Option(names = "--data", paramLabel = "DIR", description = "default data folder (built if missing; default: <checkout>/data)")
    Path data;

    @Option(names = "--configs", paramLabel = "DIR", description = "configuration folder (default: <checkout>/experiments/configs)")
    Path configs;

    @Option(names = "--runs", paramLabel = "DIR", description = "runs root; runs go to <runs>/<profile> (default: <checkout>/runs)")
    Path runs;

    @Option(names = "--figures", paramLabel = "DIR", description = "where figures and tables go (default: <checkout>/figures)")
    Path figures;

    @Option(names = "--no-figures", description = "train and evaluate only")
    boolean noFigures;

    @Option(names = "--dpi", defaultValue = "72", description = "PNG resolution of the figures (default: ${DEFAULT-VALUE})")
    int dpi;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AblationsCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        AblationSettings settings;
        try {
            settings = AblationSettings.named(profile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (dpi < 1 || dpi > 1200) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dpi must be 1..1200, got " + dpi);
        }
        Path root = Paths.root();
        OutputLocations.requireWritableFolder(runs != null ? runs : root.resolve("runs"), "--runs");
        if (!noFigures) {
            OutputLocations.requireWritableFolder(figures != null ? figures : root.resolve("figures"), "--figures");
        }
        Path dataDir = data != null ? data : root.resolve("data");
        AblationStudy study = new AblationStudy(settings, dataDir,
                configs != null ? configs : root.resolve("experiments").resolve("configs"),
                runs != null ? runs : root.resolve("runs"), System.out);
        Path runsDir = study.runAll();
        if (noFigures) {
            return 0;
        }
        return FiguresCommand.write(runsDir, figures != null ? figures : root.resolve("figures"), study.dataRoot(),
                new FigureWriter(dpi, true), System.out);
    }
}

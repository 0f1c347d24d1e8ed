package org.umedsam.experiments;

import java.nio.file.Path;
import org.umedsam.analysis.AblationSettings;
import org.umedsam.analysis.grid.GridStudy;
import org.umedsam.model.ShippedModels;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options that select an ablation study, shared by {@code umedsam ablations} and its task subcommands. */
final class StudyOptions {
    @Option(names = "--profile", defaultValue = "quick",
            description = "smoke (CI, minutes), quick (default: 4 configurations x 2 seeds x 90 steps), full (4 configurations x 3 seeds x 180 steps) or long (full's runs at 720 steps, scores and sharpness);"
                    + " with the suffix -all (e.g. quick-all) every parameter trains, not only the mask decoder and sigmas;"
                    + " with -from-MODEL last (e.g. full-from-small-base) the runs fine-tune that shipped model, not small-base-continued")
    String profile;

    @Option(names = "--data", paramLabel = "DIR", description = "default data folder (built if missing; default: <checkout>/data)")
    Path data;

    @Option(names = "--configs", paramLabel = "DIR", description = "configuration folder (default: <checkout>/experiments/configs)")
    Path configs;

    @Option(names = "--runs", paramLabel = "DIR", description = "runs root; runs go to <runs>/<profile> (default: <checkout>/runs)")
    Path runs;

    /** The study, with the checkout's folders where none was given; an unknown profile is a usage error. */
    GridStudy study(CommandLine cmd) {
        AblationSettings settings;
        try {
            settings = AblationSettings.named(profile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        String base = settings.baseModel();
        if (ShippedModels.isName(base) && !ShippedModels.names().contains(base)) {
            throw new CommandLine.ParameterException(cmd, "profile '" + profile + "': no shipped model '" + base
                    + "' (shipped: " + ShippedModels.names() + ")");
        }
        Path root = Paths.root();
        return new GridStudy(profile, data != null ? data : root.resolve("data"),
                configs != null ? configs : root.resolve("experiments").resolve("configs"),
                runs != null ? runs : root.resolve("runs"));
    }
}

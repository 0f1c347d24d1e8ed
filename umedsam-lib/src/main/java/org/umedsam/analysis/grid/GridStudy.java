package org.umedsam.analysis.grid;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.umedsam.analysis.AblationSettings;
import org.umedsam.analysis.AblationStudy;
import org.umedsam.data.DefaultDatasets;

/**
 * An ablation study as every process of a grid sees it: the profile and the folders, absolute, so that a task
 * started elsewhere (a child process, a cluster node) opens the same {@link AblationStudy}.
 *
 * @param profile a profile name of {@link AblationSettings#named}
 * @param data    the default data root as given to {@link AblationStudy} (not its per-profile sibling)
 * @param configs the configuration folder
 * @param runs    the runs root; runs go to {@code runs/<profile>}
 */
public record GridStudy(String profile, Path data, Path configs, Path runs) {
    public GridStudy {
        AblationSettings.named(Objects.requireNonNull(profile, "profile"));
        data = data.toAbsolutePath().normalize();
        configs = configs.toAbsolutePath().normalize();
        runs = runs.toAbsolutePath().normalize();
    }

    /**
     * The study a notebook means, from the environment variables of {@link AblationStudy#fromEnvironment}:
     * {@code UMEDSAM_SMOKE}, {@code UMEDSAM_PROFILE}, {@code UMEDSAM_DATA}, {@code UMEDSAM_CONFIGS},
     * {@code UMEDSAM_RUNS}.
     */
    public static GridStudy fromEnvironment() {
        Map<String, String> env = System.getenv();
        String profile = "1".equals(env.get("UMEDSAM_SMOKE")) ? "smoke" : env.getOrDefault("UMEDSAM_PROFILE", "quick");
        Path root = DefaultDatasets.defaultRoot().getParent();
        return new GridStudy(profile, Path.of(env.getOrDefault("UMEDSAM_DATA", root.resolve("data").toString())),
                Path.of(env.getOrDefault("UMEDSAM_CONFIGS", root.resolve("experiments").resolve("configs").toString())),
                Path.of(env.getOrDefault("UMEDSAM_RUNS", root.resolve("runs").toString())));
    }

    public AblationSettings settings() {
        return AblationSettings.named(profile);
    }

    public AblationStudy open(PrintStream log) {
        return new AblationStudy(settings(), data, configs, runs, log);
    }

    /** {@code runs/<profile>}: the run folders. */
    public Path runsDir() {
        return settings().runsDir(runs);
    }

    /** {@code runs/<profile>/.grid}: job scripts, task logs and submission records of the executors. */
    public Path gridDir() {
        return runsDir().resolve(".grid");
    }

    /** Every configuration x seed, in the study's order (configurations outer), indexed from 0. */
    public List<GridRun> grid() {
        AblationSettings s = settings();
        List<GridRun> out = new ArrayList<>();
        for (String c : s.configurations()) {
            for (long seed : s.seeds()) {
                out.add(new GridRun(out.size(), c, seed));
            }
        }
        return List.copyOf(out);
    }

    /** The options of {@code umedsam ablations} (and its task subcommands) that select this study. */
    public List<String> arguments() {
        return List.of("--profile", profile, "--data", data.toString(), "--configs", configs.toString(),
                "--runs", runs.toString());
    }
}

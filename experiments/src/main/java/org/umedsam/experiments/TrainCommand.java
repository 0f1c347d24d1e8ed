package org.umedsam.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.umedsam.model.ShippedModels;
import org.umedsam.train.ParameterGroup;
import org.umedsam.train.RunFolder;
import org.umedsam.train.RunInfo;
import org.umedsam.train.TrainConfig;
import org.umedsam.train.Trainer;
import org.umedsam.train.TrainingData;
import org.umedsam.train.TrainingSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code umedsam train}: trains LiteMedSAM with a configuration from {@code experiments/configs/}
 * on challenge-format {@code .npz} cases (with {@code gts}), into {@code <runs>/<name>/}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train LiteMedSAM (U-MedSAM losses, optional SAM) on challenge-format .npz cases.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "training configuration JSON (see experiments/configs/README.md)")
    Path config;

    @Option(names = "--data", paramLabel = "DIR",
            description = "challenge-format .npz cases with gts: a folder with train/ (and validation/) subfolders, as"
                    + " DefaultDatasets builds, or any folder (searched recursively, split by validationFraction);"
                    + " default: the default dataset under <checkout>/data, built if missing")
    Path data;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "parent folder of run folders (default: ${DEFAULT-VALUE})")
    Path runs;

    @Option(names = "--resume", paramLabel = "RUN", description = "continue this run folder (or run name under --runs)"
            + " from its last checkpoint, on the data folder its run.json records unless --data is given")
    String resume;

    @Option(names = "--other-data", description = "with --resume: allow a --data folder other than the one the run"
            + " was trained on (recorded in its run.json); without it such a resume is refused")
    boolean otherData;

    @Option(names = "--steps", paramLabel = "N", description = "stop after N optimizer steps, N >= 1 (overrides maxSteps)")
    Integer steps;

    @Option(names = "--preset", paramLabel = "PRESET", description = "model preset: small or litemedsam (overrides modelPreset)")
    String preset;

    @Option(names = "--seed", description = "overrides the configuration's seed")
    Long seed;

    @Option(names = "--epochs", description = "overrides the configuration's epochs")
    Integer epochs;

    @Option(names = "--name", description = "run name (default: the configuration's name)")
    String name;

    @Option(names = "--trainable", description = "ALL or MASK_DECODER_AND_SIGMAS (overrides trainable)")
    ParameterGroup trainable;

    @Option(names = "--initial-weights", paramLabel = "FILE", description = "start from these weights: a shipped "
            + "model's name (small-base), an upstream .pth such as lite_medsam.pth, a umedsam model file or a run's"
            + " .ckpt (overrides initialWeights)")
    Path initialWeights;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Option(names = "--skip-bad-cases", description = "every case is opened and checked before the first step (readable, "
            + "with a labelled slice); by default one bad case stops the command there, with this option it is left out with a warning "
            + "and counted in run.json (skipped_cases)")
    boolean skipBadCases;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        // a bar redraws itself with carriage returns: only for a terminal, never into a log file
        Trainer.Options options = new Trainer.Options(!noProgress && System.console() != null, 0, System.out);
        if (resume != null) {
            if (config != null || steps != null || preset != null || seed != null || epochs != null || name != null
                    || trainable != null || initialWeights != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues a run with its own "
                        + "config.json; drop --config/--steps/--preset/--seed/--epochs/--name/--trainable/--initial-weights");
            }
            Path runDir = Files.isDirectory(Path.of(resume)) ? Path.of(resume) : runs.resolve(resume);
            if (!Files.isDirectory(runDir)) {
                throw new IOException("--resume " + resume + ": no such run folder (nor " + runDir + ")");
            }
            requireRunFolder(runDir, resume);
            OutputLocations.requireWritableFolder(runDir, "--resume");
            TrainConfig c = TrainConfig.read(runDir.resolve("config.json"));
            data = resumeData(runDir, data, otherData, "--data", "--other-data", spec.commandLine().getErr());
            Trainer.Result r = TrainingSetup.of(c, trainingData(c)).resume(runDir, options);
            report(r);
            return 0;
        }
        if (config == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --config FILE (or --resume RUN)");
        }
        if (otherData) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--other-data goes with --resume");
        }
        requireSteps(steps, spec.commandLine());
        if (epochs != null && epochs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--epochs must be >= 1, got " + epochs);
        }
        TrainConfig c = TrainConfig.read(config);
        if (steps != null) {
            c = c.with(Map.of("maxSteps", steps));
        }
        if (preset != null) {
            c = c.with(Map.of("modelPreset", preset));
        }
        if (seed != null) {
            c = c.with(Map.of("seed", seed));
        }
        if (epochs != null) {
            c = c.with(Map.of("epochs", epochs));
        }
        if (name != null) {
            c = c.with(Map.of("name", name));
        }
        if (trainable != null) {
            c = c.with(Map.of("trainable", trainable.name()));
        }
        if (initialWeights != null) {
            // a shipped model's name stays a name (resolved when the run starts); a file becomes absolute
            boolean shippedName = !Files.exists(initialWeights) && ShippedModels.isName(initialWeights.toString());
            c = c.with(Map.of("initialWeights", shippedName ? initialWeights.toString()
                    : initialWeights.toAbsolutePath().normalize().toString()));
        }
        OutputLocations.requireWritableFolder(runs, "--runs");
        Trainer.Result r = TrainingSetup.of(c, trainingData(c)).start(runs, options);
        report(r);
        return 0;
    }

    private void report(Trainer.Result r) {
        StringBuilder sig = new StringBuilder();
        for (double s : r.logSigmas()) {
            sig.append(String.format(" %.4f", Math.exp(s)));
        }
        spec.commandLine().getOut().printf("run %s: %d steps, %d epochs, epoch loss %.5f -> %.5f, sigmas%s%n",
                r.runDir(), r.steps(), r.epochsCompleted(), r.firstEpochLoss(), r.lastEpochLoss(),
                sig.length() == 0 ? " (fixed weights)" : sig);
        spec.commandLine().getOut().flush();
    }

    /**
     * Refuses a {@code --resume} folder that is no run folder (no {@code config.json}) or has nothing to resume
     * from (no {@code checkpoint/last.ckpt}), before its data are opened.
     */
    static void requireRunFolder(Path runDir, String given) throws IOException {
        if (!Files.isRegularFile(runDir.resolve(RunFolder.CONFIG))) {
            throw new IOException("--resume " + given + ": " + runDir + " is not a run folder (it has no "
                    + RunFolder.CONFIG + ")");
        }
        RunFolder.existing(runDir);
    }

    /** Refuses a command-line step limit below 1 (0 would mean no limit, which is the configuration's business). */
    static void requireSteps(Integer steps, CommandLine cl) {
        if (steps != null && steps < 1) {
            throw new CommandLine.ParameterException(cl, "--steps must be >= 1, got " + steps);
        }
    }

    /**
     * The folder of cases a resume of {@code runDir} trains on: the one its {@code run.json} records when
     * {@code given} is null (said on {@code err}); {@code given} when it is that folder or the run records none;
     * another folder only with {@code allowOther} (warned on {@code err}), else refused. Null: the default dataset
     * (a run from before the data folder was recorded, resumed without {@code --data}).
     */
    static Path resumeData(Path runDir, Path given, boolean allowOther, String dataOption, String otherOption,
                           java.io.PrintWriter err) throws IOException {
        Path runJson = runDir.resolve(RunFolder.RUN);
        Path recorded = RunInfo.recordedData(runJson);
        if (recorded == null) {
            if (given == null) {
                err.println("note: " + runJson + " records no data folder (a run from an older version); resuming on"
                        + " the default dataset " + TrainingSetup.dataRoot(null).toAbsolutePath().normalize()
                        + "; give " + dataOption + " if it trained on other cases");
                err.flush();
            }
            return given;
        }
        if (given == null) {
            err.println("resuming on the run's data folder " + recorded + " (recorded in " + runJson + ")");
            err.flush();
            return recorded;
        }
        Path abs = given.toAbsolutePath().normalize();
        boolean same = abs.equals(recorded)
                || (Files.exists(abs) && Files.exists(recorded) && Files.isSameFile(abs, recorded));
        if (same) {
            return given;
        }
        if (!allowOther) {
            throw new IllegalArgumentException(dataOption + " " + abs + " is not the data folder this run was trained"
                    + " on (" + recorded + ", recorded in " + runJson + "); drop " + dataOption + " to resume on it,"
                    + " or add " + otherOption + " to continue on other cases");
        }
        err.println("WARNING: resuming on " + abs + ", not on the data folder this run was trained on (" + recorded
                + "); the resume is recorded with its data folder in " + runJson);
        err.flush();
        return given;
    }

    /**
     * Training and validation items of {@code --data} ({@link TrainingSetup#data}); the default dataset when
     * no folder is given.
     */
    TrainingData trainingData(TrainConfig c) throws IOException {
        Path dir = TrainingSetup.dataRoot(data);
        TrainingData d = TrainingSetup.data(dir, c, skipBadCases, line -> {
            spec.commandLine().getErr().println(line);
            spec.commandLine().getErr().flush();
        });
        spec.commandLine().getOut().printf("%d training cases, %d validation cases from %s%s%n", d.trainCases(),
                d.validationCases(), dir, d.skipped().isEmpty() ? "" : " (" + d.skipped().size()
                        + " bad cases skipped)");
        return d;
    }
}

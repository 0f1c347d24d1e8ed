package org.umedsam.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.umedsam.data.DefaultDatasets;
import org.umedsam.report.RunRecords;
import org.umedsam.train.Pretraining;
import org.umedsam.train.TrainConfig;
import org.umedsam.train.Trainer;
import org.umedsam.viz.FigureWriter;
import org.umedsam.viz.LossCurves;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code umedsam pretrain}: trains a base model from random initialisation with the toolkit's
 * pre-training recipe ({@link Pretraining}), then writes it as {@code <run>/model.npz} and
 * {@code <run>/model.pth}.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pre-train a base model (the small preset, every parameter, from random initialisation) on"
                + " the default dataset with the recipe of experiments/configs/pretrain.json; resumable.",
                "Writes <runs>/<name>/ (config.json, steps.csv, epochs.csv, checkpoint/) and, at the end,"
                        + " model.npz (load it with --initial-weights or infer --checkpoint), model.pth and the"
                        + " curves loss-terms.png and epochs.png."})
public final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "recipe JSON over the built-in one (default: the"
            + " built-in recipe, identical to experiments/configs/pretrain.json)")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", description = "cases with train/ and validation/ (default: the"
            + " default dataset under <checkout>/data, built if missing)")
    Path data;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs/pretrain",
            description = "parent folder of run folders (default: ${DEFAULT-VALUE})")
    Path runs;

    @Option(names = "--resume", paramLabel = "RUN", description = "continue this run folder (or run name under --runs),"
            + " on the data folder its run.json records unless --data is given")
    String resume;

    @Option(names = "--other-data", description = "with --resume: allow a --data folder other than the one the run"
            + " was trained on (recorded in its run.json); without it such a resume is refused")
    boolean otherData;

    @Option(names = "--export-only", paramLabel = "RUN", description = "train nothing: write this run's best"
            + " checkpoint (its last when it has none) as model.npz and model.pth, and its curves")
    Path exportOnly;

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps, N >= 1 (overrides maxSteps;"
            + " the cosine schedule spans them)")
    Integer steps;

    @Option(names = "--seed", description = "overrides the recipe's seed")
    Long seed;

    @Option(names = "--name", description = "run name (default: the recipe's name, small-base)")
    String name;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // a bar redraws itself with carriage returns: only for a terminal, never into a log file
        Trainer.Options options = new Trainer.Options(!noProgress && System.console() != null, 0, System.out);
        Path dataRoot = data != null ? data : DefaultDatasets.defaultRoot();
        if (exportOnly != null) {
            if (resume != null || config != null || steps != null || seed != null || name != null || otherData) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--export-only takes no other run options");
            }
            Pretraining.export(exportOnly);
            writeCurves(exportOnly);
            spec.commandLine().getOut().printf("wrote %s and %s%n", exportOnly.resolve(Pretraining.MODEL_FILE),
                    exportOnly.resolve(Pretraining.PTH_FILE));
            spec.commandLine().getOut().flush();
            return 0;
        }
        Trainer.Result r;
        if (resume != null) {
            if (config != null || steps != null || seed != null || name != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues a run with its own "
                        + "config.json; drop --config/--steps/--seed/--name");
            }
            Path runDir = Files.isDirectory(Path.of(resume)) ? Path.of(resume) : runs.resolve(resume);
            if (!Files.isDirectory(runDir)) {
                throw new IOException("--resume " + resume + ": no such run folder (nor " + runDir + ")");
            }
            TrainCommand.requireRunFolder(runDir, resume);
            Path resumeData = TrainCommand.resumeData(runDir, data, otherData, "--data", "--other-data",
                    spec.commandLine().getErr());
            r = Pretraining.resume(runDir, resumeData != null ? resumeData : DefaultDatasets.defaultRoot(), options);
        } else {
            if (otherData) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--other-data goes with --resume");
            }
            TrainCommand.requireSteps(steps, spec.commandLine());
            TrainConfig c = config != null ? TrainConfig.read(config) : Pretraining.config();
            if (steps != null) {
                c = c.with(Map.of("maxSteps", steps));
            }
            if (seed != null) {
                c = c.with(Map.of("seed", seed));
            }
            if (name != null) {
                c = c.with(Map.of("name", name));
            }
            r = Pretraining.run(c, dataRoot, runs, options);
        }
        writeCurves(r.runDir());
        spec.commandLine().getOut().printf("run %s: %d steps, %d epochs, epoch loss %.5f -> %.5f; model written to"
                        + " %s and %s%n", r.runDir(), r.steps(), r.epochsCompleted(), r.firstEpochLoss(),
                r.lastEpochLoss(), r.runDir().resolve(Pretraining.MODEL_FILE),
                r.runDir().resolve(Pretraining.PTH_FILE));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The model card's curves: loss terms against step, per-epoch loss and validation DSC. */
    private static void writeCurves(Path runDir) throws IOException {
        RunRecords records = RunRecords.read(runDir);
        FigureWriter figures = FigureWriter.defaults();
        figures.write(LossCurves.perTerm(records), runDir, "loss-terms");
        if (records.epochs() != null && records.epochs().rowCount() > 0) {
            figures.write(LossCurves.epochs(records), runDir, "epochs");
        }
    }
}

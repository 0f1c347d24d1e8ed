package org.umedsam.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.umedsam.data.DefaultDatasets;
import org.umedsam.model.LiteMedSam;

/**
 * Pre-training of a base model from random initialisation, what {@code umedsam pretrain} runs: the
 * paper fine-tunes the released LiteMedSAM, a model that already segments, and the {@code small}
 * preset has no released weights, so the toolkit trains its own ({@code models/small-base.npz}, card
 * in {@code models/README.md}).
 *
 * <p>The recipe ({@link #config()}, also {@code experiments/configs/pretrain.json}): every parameter,
 * BatchNorm in training mode, Dice + BCE + IoU-head MSE with fixed weights (the paper's baseline
 * loss), AdamW at 5e-4 with 50 warm-up steps and cosine decay to 1e-5 over 900 steps, batches of 2
 * images with 4 boxes each (each image embedded once), flips, box jitter of up to 5 pixels and
 * intensity/contrast changes. A run is an ordinary training run: {@code steps.csv},
 * {@code epochs.csv}, checkpoints, and exact resume after an interruption.
 */
public final class Pretraining {
    /** File name of the exported model inside a run folder ({@link LiteMedSam#save} format). */
    public static final String MODEL_FILE = "model.npz";
    /** File name of the same model as a PyTorch state dict, beside {@link #MODEL_FILE}. */
    public static final String PTH_FILE = "model.pth";

    private Pretraining() {
    }

    /** The pre-training recipe for the {@code small} preset (see the class doc). */
    public static TrainConfig config() {
        return TrainConfig.defaults().with(java.util.Map.ofEntries(
                java.util.Map.entry("name", "small-base"),
                java.util.Map.entry("modelPreset", "small"),
                java.util.Map.entry("seed", 2024),
                java.util.Map.entry("trainable", "ALL"),
                java.util.Map.entry("losses", List.of("dice", "bce", "iou")),
                java.util.Map.entry("weighting", "fixed"),
                java.util.Map.entry("fixedWeights", List.of(1.0, 1.0, 1.0)),
                java.util.Map.entry("sam", false),
                java.util.Map.entry("batchSize", 2),
                java.util.Map.entry("boxesPerImage", 4),
                java.util.Map.entry("intensityAugmentation", true),
                java.util.Map.entry("bboxShift", 5),
                java.util.Map.entry("learningRate", 5e-4),
                java.util.Map.entry("weightDecay", 0.01),
                java.util.Map.entry("lrSchedule", "cosine"),
                java.util.Map.entry("warmupSteps", 50),
                java.util.Map.entry("minLearningRate", 1e-5),
                java.util.Map.entry("epochs", 1000),
                java.util.Map.entry("maxSteps", 900),
                java.util.Map.entry("validationFraction", 0.1),
                java.util.Map.entry("checkpointEverySteps", 25)));
    }

    /**
     * Trains {@code config} on the cases under {@code dataRoot} (the default dataset is built there first
     * when {@code dataRoot} is {@link DefaultDatasets#defaultRoot()}) into a new folder under
     * {@code runsDir}, then exports the best checkpoint ({@link #export}).
     */
    public static Trainer.Result run(TrainConfig config, Path dataRoot, Path runsDir, Trainer.Options options)
            throws IOException {
        Trainer.Result r = TrainingSetup.of(config, data(dataRoot, config)).start(runsDir, options);
        export(r.runDir());
        return r;
    }

    /** Continues an interrupted pre-training run from its last checkpoint, then exports it. */
    public static Trainer.Result resume(Path runDir, Path dataRoot, Trainer.Options options) throws IOException {
        TrainConfig config = TrainConfig.read(runDir.resolve("config.json"));
        Trainer.Result r = TrainingSetup.of(config, data(dataRoot, config)).resume(runDir, options);
        export(r.runDir());
        return r;
    }

    private static TrainingData data(Path dataRoot, TrainConfig config) throws IOException {
        return TrainingSetup.data(dataRoot, config, false, System.err::println);
    }

    /**
     * Writes the run's best checkpoint (its last when it has no best) as a model file
     * {@code runDir/model.npz} and as a PyTorch state dict {@code runDir/model.pth} that upstream-shaped
     * code loads with {@code load_state_dict(strict=True)}; returns the model.
     */
    public static LiteMedSam export(Path runDir) throws IOException {
        RunFolder folder = RunFolder.existing(runDir);
        Path ckpt = Files.isRegularFile(folder.bestCheckpoint()) ? folder.bestCheckpoint() : folder.lastCheckpoint();
        LiteMedSam m = TrainingSetup.trained(runDir, ckpt).model();
        m.save(runDir.resolve(MODEL_FILE));
        m.exportPth(runDir.resolve(PTH_FILE));
        return m;
    }
}

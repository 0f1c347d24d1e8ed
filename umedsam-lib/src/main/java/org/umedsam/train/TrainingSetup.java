package org.umedsam.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.umedsam.data.DefaultDatasets;
import org.umedsam.data.Profile;
import org.umedsam.model.EmbeddingCache;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelFiles;

/**
 * What a {@link TrainConfig} makes: the model and the data a run trains on. The one recipe behind
 * {@code umedsam train}, pre-training ({@link Pretraining}), the ablation study and the loss landscapes
 * of trained runs, so that they cannot drift apart.
 *
 * <p>The model is a fresh one of the configuration's preset and seed, its image encoder frozen (embedded
 * once per batch) when only the mask decoder and sigmas train; a fresh run then starts from
 * {@link TrainConfig#initialWeights()} ({@link Trainer#start} applies them, a resumed run restores its
 * checkpoint instead). A trained run's model comes from one of its checkpoints ({@link #trained}).
 *
 * @param config     the run's configuration
 * @param model      the model to train
 * @param train      training items
 * @param validation validation items, or null without a validation split
 */
public record TrainingSetup(TrainConfig config, LiteMedSamModel model, TrainingSource train,
                            TrainingSource validation) {
    public TrainingSetup {
        if (config == null || model == null || train == null) {
            throw new IllegalArgumentException("a training setup needs a configuration, a model and training items");
        }
    }

    /** A fresh model for {@code config} with the given sources. */
    public static TrainingSetup of(TrainConfig config, TrainingSource train, TrainingSource validation) {
        return new TrainingSetup(config, model(config), train, validation);
    }

    /** A fresh model for {@code config} with the sources of {@code data}. */
    public static TrainingSetup of(TrainConfig config, TrainingData data) {
        return of(config, data.train(), data.validation());
    }

    /**
     * A fresh model of {@code config}'s preset and seed; its encoder is frozen when the configuration trains only
     * the mask decoder and sigmas.
     */
    public static LiteMedSamModel model(TrainConfig config) {
        return model(config, null);
    }

    /**
     * As {@link #model(TrainConfig)}, a frozen encoder embedding through {@code embeddings} (shared with other runs
     * of the same base encoder; null: none).
     */
    public static LiteMedSamModel model(TrainConfig config, EmbeddingCache embeddings) {
        return new LiteMedSamModel(LiteMedSamModel.create(config.modelPreset(), config.seed()),
                config.trainable() == ParameterGroup.MASK_DECODER_AND_SIGMAS, embeddings);
    }

    /**
     * The training and validation items of the cases under {@code dataRoot} for {@code config}
     * ({@link TrainingData#of}); null stands for the default dataset's folder, which is built first when it is
     * the folder asked for and not there yet.
     *
     * @param skipBadCases leave unreadable cases out with a warning on {@code warnings} instead of failing
     */
    public static TrainingData data(Path dataRoot, TrainConfig config, boolean skipBadCases,
                                    Consumer<String> warnings) throws IOException {
        Path dir = dataRoot(dataRoot);
        if (dir.toAbsolutePath().normalize().equals(DefaultDatasets.defaultRoot().toAbsolutePath().normalize())) {
            DefaultDatasets.ensure(dir, Profile.defaults());
        }
        return TrainingData.of(dir, config, skipBadCases, warnings);
    }

    /** {@code dataRoot}, or the default dataset's folder when it is null. */
    public static Path dataRoot(Path dataRoot) {
        return dataRoot == null ? DefaultDatasets.defaultRoot() : dataRoot;
    }

    /**
     * The model of the run in {@code runDir} (its {@code config.json}'s preset and trained group) with the weights
     * of {@code checkpoint} (a file of that run); strict: the checkpoint must hold exactly the model's weights.
     */
    public static LiteMedSamModel trained(Path runDir, Path checkpoint) throws IOException {
        TrainConfig config = TrainConfig.read(runDir.resolve(RunFolder.CONFIG));
        LiteMedSam m;
        try {
            m = ModelFiles.load(checkpoint, ModelConfig.named(config.modelPreset()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new LiteMedSamModel(m, config.trainable() == ParameterGroup.MASK_DECODER_AND_SIGMAS);
    }

    /** The run in {@code runDir} as {@link #trained} from its last checkpoint. */
    public static LiteMedSamModel trained(Path runDir) throws IOException {
        return trained(runDir, runDir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST));
    }

    /** Trains a new run into a fresh folder under {@code runsDir} ({@link Trainer#start}). */
    public Trainer.Result start(Path runsDir, Trainer.Options options) throws IOException {
        return Trainer.start(config, model, train, validation, runsDir, options);
    }

    /** Continues the run in {@code runDir}, which must have been made from this configuration ({@link Trainer#resume}). */
    public Trainer.Result resume(Path runDir, Trainer.Options options) throws IOException {
        return Trainer.resume(runDir, model, train, validation, options);
    }
}

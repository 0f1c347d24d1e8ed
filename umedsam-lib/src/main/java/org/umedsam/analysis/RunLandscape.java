package org.umedsam.analysis;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.data.TrainingSampler;
import org.umedsam.model.LiteMedSam;
import org.umedsam.report.LandscapeLine;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.report.RunFiles;
import org.umedsam.train.AtomicFiles;
import org.umedsam.train.Checkpoint;
import org.umedsam.train.LiteMedSamModel;
import org.umedsam.train.RunFolder;
import org.umedsam.train.SamplerSource;
import org.umedsam.train.TrainConfig;
import org.umedsam.train.TrainingExample;
import org.umedsam.train.TrainingSource;

/**
 * The loss landscape of a finished run folder: its model and loss (at the learned log-sigmas)
 * from {@code checkpoint/last.ckpt}, a fixed batch, and the 1D line, 2D surface and sharpness
 * written into {@code landscape/} ({@link RunFiles}).
 *
 * <p>Directions are drawn from fixed seeds (not the run's), and the batch is the same for every
 * run, so runs of different configurations are sliced the same way.
 */
public final class RunLandscape {
    /** Seed of the first direction; the second uses seed + 1, sharpness seed + 2. */
    public static final long DIRECTION_SEED = 20180101L;

    private RunLandscape() {
    }

    /** A run's model with the weights of its last checkpoint. */
    public static LiteMedSam loadModel(Path runDir) throws IOException {
        TrainConfig config = TrainConfig.read(runDir.resolve(RunFolder.CONFIG));
        Path ckpt = runDir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST);
        try {
            return org.umedsam.model.ModelFiles.load(ckpt, org.umedsam.model.ModelConfig.named(config.modelPreset()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * A fixed batch of {@code n} training samples: no flips, no box jitter, a fixed seed.
     */
    public static FixedBatch batch(List<Path> trainFiles, int n) {
        TrainingSampler sampler = TrainingSampler.ofFiles(trainFiles,
                new org.umedsam.data.SamplerConfig(DIRECTION_SEED, 0, false, false, Map.of()));
        TrainingSource source = new LimitedSource(SamplerSource.validation(sampler), n);
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < source.epochSize(0); i++) {
            ex.add(source.example(0, i));
        }
        return FixedBatch.of(ex);
    }

    /**
     * Computes and writes the landscape of {@code runDir}.
     *
     * @return the sharpness estimate
     */
    public static LossLandscape.Sharpness compute(Path runDir, FixedBatch batch, AblationSettings s) throws IOException {
        TrainConfig config = TrainConfig.read(runDir.resolve(RunFolder.CONFIG));
        Checkpoint ckpt = Checkpoint.read(runDir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST));
        LiteMedSam model = loadModel(runDir);
        // a frozen encoder embeds the fixed batch once; only the decoder's weights move
        LiteMedSamModel trainable = new LiteMedSamModel(model,
                config.trainable() == org.umedsam.train.ParameterGroup.MASK_DECODER_AND_SIGMAS);
        LossLandscape l = new LossLandscape(trainable, trainable.parameterNames(config.trainable()), config.buildLoss(),
                ckpt.logSigmas(), batch);
        String label = config.name();
        Map<String, INDArray> d1 = l.randomDirection(DIRECTION_SEED);
        Map<String, INDArray> d2 = l.randomDirection(DIRECTION_SEED + 1);
        LandscapeLine line = l.line(label, d1, LossLandscape.grid(s.points1d(), s.span()));
        LandscapeSurface surface = l.surface(label, d1, d2, LossLandscape.grid(s.points2d(), s.span()),
                LossLandscape.grid(s.points2d(), s.span()));
        LossLandscape.Sharpness sharp = l.sharpness(s.sharpnessRho(), s.sharpnessDirections(), s.ascentSteps(),
                DIRECTION_SEED + 2);
        Path dir = runDir.resolve(RunFiles.LANDSCAPE_DIR);
        Files.createDirectories(dir);
        line.write(dir.resolve(RunFiles.LINE));
        surface.write(dir.resolve(RunFiles.SURFACE));
        AtomicFiles.writeString(dir.resolve(RunFiles.SHARPNESS),
                new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create().toJson(sharp) + "\n");
        return sharp;
    }
}

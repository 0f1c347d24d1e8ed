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
import org.umedsam.report.LandscapeLine;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.report.RunFiles;
import org.umedsam.io.AtomicFiles;
import org.umedsam.train.Batch;
import org.umedsam.train.Checkpoint;
import org.umedsam.train.LiteMedSamModel;
import org.umedsam.train.RunFolder;
import org.umedsam.train.SamplerSource;
import org.umedsam.train.TrainConfig;
import org.umedsam.train.TrainingExample;
import org.umedsam.train.TrainingSetup;
import org.umedsam.train.TrainingSource;

/**
 * The loss landscape of a finished run folder: its model from {@code checkpoint/last.ckpt}, a
 * fixed batch, and per direction pair a 1D line and a 2D surface, plus a sharpness estimate,
 * written into {@value RunFiles#LANDSCAPE_DIR}/ ({@link RunFiles}).
 *
 * <p>Every run is measured on the same function, {@link CommonObjective}, whatever loss it
 * trained with; the run's own objective (at its learned log-sigmas) is evaluated once at the
 * centre and kept as {@code runObjectiveLoss}. Directions are drawn from fixed seeds (not the
 * run's): pair k uses {@link #directionSeed(int, int)}, identical for every configuration and seed,
 * and filter-normalised against each run's own weights (Li et al. 2018); the batch is the same for
 * every run. So panels of different runs are slices along the same random draws of the same
 * function on the same data.
 */
public final class RunLandscape {
    /** Base seed of the directions (see {@link #directionSeed}). */
    public static final long DIRECTION_SEED = 20180101L;

    /** Seed of the sharpness estimate's random directions. */
    public static final long SHARPNESS_SEED = DIRECTION_SEED - 1;

    /**
     * The seed of direction {@code which} (0 or 1) of pair {@code pair}: {@code DIRECTION_SEED + 2 pair + which},
     * so pair 0 is the pair earlier landscapes used.
     */
    public static long directionSeed(int pair, int which) {
        if (pair < 0 || which < 0 || which > 1) {
            throw new IllegalArgumentException("need pair >= 0 and which in {0, 1}, got " + pair + ", " + which);
        }
        return DIRECTION_SEED + 2L * pair + which;
    }

    private RunLandscape() {
    }

    /**
     * A fixed batch of {@code n} training samples: no flips, no box jitter, a fixed seed.
     */
    public static Batch batch(List<Path> trainFiles, int n) {
        TrainingSampler sampler = TrainingSampler.ofFiles(trainFiles,
                new org.umedsam.data.SamplerConfig(DIRECTION_SEED, 0, false, false, Map.of()));
        TrainingSource source = new LimitedSource(SamplerSource.validation(sampler), n);
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < source.epochSize(0); i++) {
            ex.add(source.example(0, i));
        }
        return Batch.of(ex);
    }

    /**
     * Computes and writes the landscape of {@code runDir}: {@code directionPairs} lines and
     * surfaces, then {@value RunFiles#SHARPNESS} last (its presence marks a finished landscape).
     *
     * @return what was written into {@value RunFiles#SHARPNESS}
     */
    public static Result compute(Path runDir, Batch batch, AblationSettings s) throws IOException {
        return compute(runDir, batch, batch, s);
    }

    /**
     * As {@link #compute(Path, Batch, AblationSettings)}, the sharpness estimate on {@code sharpnessBatch}.
     */
    public static Result compute(Path runDir, Batch batch, Batch sharpnessBatch, AblationSettings s) throws IOException {
        TrainConfig config = TrainConfig.read(runDir.resolve(RunFolder.CONFIG));
        Checkpoint ckpt = Checkpoint.read(runDir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST));
        // a frozen encoder embeds the fixed batch once (cached by LiteMedSamModel for the batch's images);
        // every grid point then runs only the mask decoder and the loss
        LiteMedSamModel trainable = TrainingSetup.trained(runDir);
        java.util.Set<String> names = trainable.parameterNames(config.trainable());
        LossLandscape l = new LossLandscape(trainable, names, CommonObjective.loss(), new double[0], batch);
        double runObjective = new LossLandscape(trainable, names, config.buildLoss(), ckpt.logSigmas(), sharpnessBatch)
                .loss();
        String label = config.name();
        Path dir = runDir.resolve(RunFiles.LANDSCAPE_DIR);
        Files.createDirectories(dir);
        double[] grid2d = LossLandscape.grid(s.points2d(), s.span());
        double[] grid1d = LossLandscape.grid(s.points1d(), s.span());
        for (int k = 0; k < s.directionPairs(); k++) {
            Map<String, INDArray> d1 = l.randomDirection(directionSeed(k, 0));
            Map<String, INDArray> d2 = l.randomDirection(directionSeed(k, 1));
            LandscapeSurface surface = l.surface(label, d1, d2, grid2d, grid2d);
            LandscapeLine line = s.points1d() == s.points2d() ? surface.rowAtBetaZero()
                    : l.line(label, d1, grid1d);
            line.write(dir.resolve(RunFiles.line(k)));
            surface.write(dir.resolve(RunFiles.surface(k)));
        }
        LossLandscape onSharpnessBatch = sharpnessBatch == batch ? l
                : new LossLandscape(trainable, names, CommonObjective.loss(), new double[0], sharpnessBatch);
        LossLandscape.Sharpness sharp = onSharpnessBatch.sharpness(s.sharpnessRho(), s.sharpnessDirections(),
                s.ascentSteps(), SHARPNESS_SEED);
        Result r = new Result(sharp.rho(), sharp.loss(), sharp.randomIncrease(), sharp.ascentIncrease(),
                sharp.sharpness(), sharp.directions(), sharp.ascentSteps(), CommonObjective.NAME, runObjective,
                s.directionPairs(), s.points2d(), s.span(), batch.size(), sharpnessBatch.size());
        AtomicFiles.writeString(dir.resolve(RunFiles.SHARPNESS),
                new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create().toJson(r) + "\n");
        return r;
    }

    /**
     * The contents of {@value RunFiles#SHARPNESS}: the {@link LossLandscape.Sharpness} fields on the
     * common objective, then what it was measured with.
     *
     * @param objective        {@link CommonObjective#NAME}
     * @param runObjectiveLoss the run's own training objective at the centre (its loss and learned sigmas)
     * @param directionPairs   direction pairs written
     * @param points2d         grid points per side
     * @param span             grid half-width
     * @param batch            samples in the landscapes' fixed batch
     * @param sharpnessBatch   samples in the sharpness estimate's fixed batch ({@code loss}, the increases and
     *                         {@code runObjectiveLoss} are on it)
     */
    public record Result(double rho, double loss, double randomIncrease, double ascentIncrease, double sharpness,
                         int directions, int ascentSteps, String objective, double runObjectiveLoss, int directionPairs,
                         int points2d, double span, int batch, int sharpnessBatch) {
    }
}

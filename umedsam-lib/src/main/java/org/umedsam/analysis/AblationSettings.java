package org.umedsam.analysis;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.umedsam.data.Profile;
import org.umedsam.train.ParameterGroup;

/**
 * How an ablation study runs: which configurations and seeds, how much data and training, and
 * which analyses follow. Four named profiles, each fine-tuning the shipped base model
 * {@value #BASE_MODEL} (as the paper fine-tunes the released LiteMedSAM):
 * <ul>
 *   <li>{@code smoke} (CI): tiny data, 2 configurations x 1 seed, 2 steps, 3 test cases, landscapes
 *       of 2 direction pairs on a 3 x 3 grid;</li>
 *   <li>{@code quick} (the main job's default): default data, 4 configurations x 2 seeds, 5 epochs of 18
 *       steps (4 cases from each of the 9 modalities, 90 steps), the whole test split, 36 validation samples per
 *       epoch; landscapes of no-sam and full, every seed, 2 direction pairs on a 5 x 5 grid, batch 2;</li>
 *   <li>{@code full}: default data, 4 configurations x 3 seeds, 10 epochs of 18 steps (4 cases from each
 *       of the 9 modalities, 180 steps: no-sam's sigmas reach their equilibria at {@code sigmaLearningRate} 2e-2,
 *       full's stay above them under SAM), the
 *       whole test split, 36 validation samples per epoch; landscapes of baseline, no-sam and full, every seed,
 *       2 direction pairs on an 11 x 11 grid on a fixed batch of 3 training samples (so the slices describe the
 *       loss surface on those 3 samples, not the training set), and the sharpness estimate on 24.</li>
 *   <li>{@code long}: {@code full}'s runs trained four times as long (40 epochs, 720 steps), scored on the whole
 *       test split, with {@code full}'s landscapes and sharpness estimate and no validation pass or kept examples:
 *       whether {@code full}'s results depend on how long the runs train ({@link #LONG_EPOCHS}).</li>
 * </ul>
 *
 * <p>Landscape budget. One grid point (mask decoder forward on the cached embedding plus the
 * common objective, small preset, 256 x 256, with the collection that frees the pass' native
 * buffers) cost 0.38 s for a batch of 4 on one core of this machine kind when it was otherwise
 * quiet; the image embedding of the fixed batch is computed once per run (about 6 s) and reused
 * at every point, and a sharpness estimate with 4 directions and 3 ascent steps cost 7.4 s.
 * Measured with {@code LandscapeCostBenchmarkTest} ({@code taskset -c 0 nice -n 15 mvn -B -o -pl
 * umedsam-lib test -Dgroups=benchmark -DexcludedGroups=none -Dtest=LandscapeCostBenchmarkTest
 * -Dsurefire.failIfNoSpecifiedTests=false}); under a load of about 13 on the 2 cores the same test
 * gave 0.43, 0.56 and 0.76 s per point for batches 2, 3 and 4, about 0.2 s + 0.14 s per sample, so
 * on a quiet core about 0.22 s (batch 2) and 0.28 s (batch 3). A run of {@code full} then costs
 * about 2 x 121 x 0.28 s + 14 s = 82 s and its 9 runs about 12.5 min on one core (budget: 15 min);
 * each of {@code quick}'s 6 runs about 2 x 25 x 0.22 s + 9 s = 20 s, 2 min in all. The 1D line
 * along each pair's first direction is the surface's beta = 0 row when {@code points1d ==
 * points2d} (no extra cost), else it is evaluated on its own.
 *
 * <p>Budgets, measured on this 2-core machine kind with the CPU engine (small preset, mask decoder and
 * sigmas trained, batch 2): 0.80 s per step without SAM and 0.91 s with SAM, 0.27 s per
 * embedding; scoring the 151 test cases takes about 190 s for the first run and less for the others,
 * which share its embeddings ({@link org.umedsam.model.EmbeddingCache}). See the README for the
 * measured wall times.
 *
 * @param profile            profile name (becomes the runs sub-folder)
 * @param configurations     configuration names, each {@code configsDir/<name>.json}
 * @param seeds              seeds per configuration
 * @param dataProfile        how much default data to build
 * @param modelPreset        {@code small} or {@code litemedsam}
 * @param trainable          which parameters train: {@code ALL} or {@code MASK_DECODER_AND_SIGMAS}
 *                           (the profiles use the latter, as the U-MedSAM code trains; every
 *                           parameter of the small preset costs 3.7 s per SAM step, four times as much)
 * @param epochs             training epochs
 * @param maxSteps           optimizer steps per run (0: all epochs)
 * @param capPerModality     training cases per modality per epoch (0: no cap)
 * @param validationItems    validation samples per epoch (0: no validation pass)
 * @param testCases          test cases evaluated (0: the whole test split)
 * @param landscapeConfigurations configurations whose runs (every seed) get landscapes and sharpness
 * @param landscapeBatch     samples in the fixed landscape batch
 * @param points1d           points on the 1D line
 * @param points2d           points per side of the 2D grid
 * @param directionPairs     filter-normalised random direction pairs per run (a 2D surface and a
 *                           1D line each), drawn from the same seeds for every run
 * @param span               the landscape covers alpha, beta in [-span, span]
 * @param sharpnessRho       radius of the sharpness ball (absolute, like SAM's rho)
 * @param sharpnessDirections random directions in the sharpness estimate
 * @param ascentSteps        gradient-ascent steps in the sharpness estimate
 * @param sharpnessBatch     samples in the sharpness estimate's fixed batch, the landscape batch's first ones and more
 *                           (0: the landscape batch): sharpness costs a few evaluations, a landscape hundreds, so the
 *                           estimate can afford a batch that says more about the training data
 * @param examplesPerModality qualitative examples kept per modality and run (first seed only; {@link #EVERY_CASE}:
 *                           all)
 * @param warmStartSteps     steps of a shared warm-start run that every configuration fine-tunes
 *                           from (0: each run starts from the preset's random initialisation). The
 *                           paper fine-tunes the released LiteMedSAM; no released weights exist for
 *                           the small preset (and none can be downloaded here), so the study first
 *                           trains one: the {@code baseline} loss (Dice + BCE + IoU, fixed weights,
 *                           AdamW) at {@code warmStartLearningRate}, into the sibling folder
 *                           {@code <runs>/<profile>-warm-start}; every run then starts from its
 *                           {@code last.ckpt} through {@code TrainConfig.initialWeights}
 * @param warmStartLearningRate AdamW learning rate of the warm start (the ablation runs keep their
 *                           configuration's rate, the paper's 5e-5)
 * @param baseModel          weights every run fine-tunes from, as the paper fine-tunes the released
 *                           LiteMedSAM: a shipped model's name ({@code small-base-continued}, see
 *                           {@code models/README.md}) or a weights file; when set, no warm start is
 *                           trained ("" : the warm start above, or random initialisation)
 */
public record AblationSettings(String profile, List<String> configurations, List<Long> seeds, Profile dataProfile,
                               String modelPreset, ParameterGroup trainable, int epochs, int maxSteps, int capPerModality, int validationItems,
                               int testCases, List<String> landscapeConfigurations, int landscapeBatch, int points1d,
                               int points2d, int directionPairs, double span, double sharpnessRho, int sharpnessDirections,
                               int ascentSteps, int sharpnessBatch, int examplesPerModality, int warmStartSteps,
                               double warmStartLearningRate, String baseModel) {
    /**
     * Training images each run of a profile that trains every parameter ({@code -all}) recomputes its BatchNorm
     * statistics from ({@code TrainConfig.batchNormCalibrationImages}: at each epoch's end when the profile has
     * validation items, as {@code full}, else at the run's end), at most the images of one epoch ({@code full-all}: 36,
     * 4 per modality):
     * at batch 2 the moving average describes the last twenty or so images, which swung a pre-trained model's
     * validation DSC by several points between epochs ({@code models/README.md}). 256, since 64 were too few: on that
     * model's two last checkpoints 64 images left the validation DSC at 73.8 and 74.4 % (endoscopy 57 and 66 %),
     * 256 gave 75.9 and 75.6 %. {@code full-all}'s 36 are balanced over the modalities, unlike those first 64 of a
     * shuffled training split, but whether 36 suffice has not been measured. About 7 s for 36 images on the small
     * preset.
     */
    public static final int CALIBRATION_IMAGES = 256;

    /** The paper's ablation, simplest first. */
    public static final List<String> CONFIGURATIONS = List.of("baseline", "only-sd", "no-sam", "full");

    private static final ParameterGroup DECODER = ParameterGroup.MASK_DECODER_AND_SIGMAS;

    /**
     * The shipped base model the named profiles fine-tune from (see {@code models/README.md}): the stronger of the
     * two, 71.5 % test DSC against small-base's 59.9 %. Until 2026-12-07 the profiles fine-tuned small-base; that
     * study is {@code full-from-small-base} now.
     */
    public static final String BASE_MODEL = org.umedsam.model.ShippedModels.SMALL_BASE_CONTINUED;

    public AblationSettings {
        if (profile == null || !profile.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("profile must be letters, digits, '.', '_' or '-', got '" + profile + "'");
        }
        if (configurations.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("need at least one configuration and one seed");
        }
        if (epochs < 1 || maxSteps < 0 || capPerModality < 0 || validationItems < 0 || testCases < 0) {
            throw new IllegalArgumentException("epochs must be >= 1 and counts >= 0");
        }
        if (!landscapeConfigurations.isEmpty() && (landscapeBatch < 1 || points1d < 3 || points2d < 3 || directionPairs < 1 || !(span > 0)
                || !(sharpnessRho > 0) || sharpnessDirections + ascentSteps < 1)) {
            throw new IllegalArgumentException("landscape needs batch >= 1, >= 3 points, a direction pair, span > 0, rho > 0 "
                    + "and a sharpness direction");
        }
        if (!landscapeConfigurations.isEmpty() && (points1d % 2 == 0 || points2d % 2 == 0)) {
            throw new IllegalArgumentException("landscape grids need an odd number of points (the trained weights at 0), got "
                    + points1d + " and " + points2d);
        }
        if (sharpnessBatch < 0) {
            throw new IllegalArgumentException("sharpnessBatch must be >= 0 (0: the landscape batch), got " + sharpnessBatch);
        }
        if (examplesPerModality < 0) {
            throw new IllegalArgumentException("examplesPerModality must be >= 0");
        }
        java.util.Objects.requireNonNull(trainable, "trainable");
        if (warmStartSteps < 0 || (warmStartSteps > 0 && !(warmStartLearningRate > 0))) {
            throw new IllegalArgumentException("warmStartSteps must be >= 0, with a positive warmStartLearningRate, got "
                    + warmStartSteps + " and " + warmStartLearningRate);
        }
        baseModel = baseModel == null ? "" : baseModel;
        configurations = List.copyOf(configurations);
        seeds = List.copyOf(seeds);
        landscapeConfigurations = List.copyOf(landscapeConfigurations);
    }

    /** CI smoke mode: minutes, not results. */
    public static AblationSettings smoke() {
        return new AblationSettings("smoke", List.of("no-sam", "full"), List.of(0L), Profile.tiny(), "small", DECODER, 1, 2, 1,
                1, 3, List.of("no-sam", "full"), 2, 3, 3, 2, 0.5, 0.05, 1, 1, 0, 1, 0, 0, BASE_MODEL);
    }

    /**
     * The main job's default: {@code full}'s data per epoch and validation items, 5 epochs instead of 10 (90 steps a
     * run), 2 seeds, small landscapes. Until 2026-12-07 it trained 18 steps (2 epochs of 9), which left every
     * configuration at or just below the base model it fine-tunes: the default run showed nothing moving.
     */
    public static AblationSettings quick() {
        return new AblationSettings("quick", CONFIGURATIONS, List.of(0L, 1L), Profile.defaults(), "small", DECODER,
                QUICK_EPOCHS, 0, 4, FULL_VALIDATION_ITEMS, 0, List.of("no-sam", "full"), 2, 5, 5, 2, 1.0, 0.05, 2, 1, 0,
                2, 0, 0, BASE_MODEL);
    }

    /** Epochs of {@code quick}: half of {@code full}'s 10. */
    public static final int QUICK_EPOCHS = 5;

    /**
     * Validation samples per epoch of {@code full}: 36 of the 110 validation cases, so that a validation DSC per
     * epoch is a mean over dozens of samples (it was 4 until 2026-12-07, too few to show a trend). Validation does
     * not steer training (the test split is scored at {@code last.ckpt}); it costs about 0.05 s a sample once the
     * seed's validation embeddings are cached.
     */
    public static final int FULL_VALIDATION_ITEMS = 36;

    /**
     * Samples in the sharpness estimate of {@code full}: 24, where the landscapes' grids use 3 (a grid point costs
     * about 0.2 s + 0.14 s per sample on one core and a run's grids take 242 points; the estimate takes about 15
     * evaluations). Until 2026-12-07 the estimate used the landscapes' 3 samples, too few to carry a claim about
     * flat minima.
     */
    public static final int FULL_SHARPNESS_BATCH = 24;

    /**
     * {@code examplesPerModality} that keeps every test case's example, so the qualitative figures pick the best and
     * worst cases of the whole test split for every configuration (about 100 KB a case, 15 MB a run of the default
     * data). Until 2026-12-07 {@code full} kept 3 per modality and run (each run its own best and worst), and the
     * figures could only pick among the 11 cases every configuration happened to keep.
     */
    public static final int EVERY_CASE = Integer.MAX_VALUE;

    /** Four configurations x three seeds on the small preset, longer training. */
    public static AblationSettings full() {
        return new AblationSettings("full", CONFIGURATIONS, List.of(0L, 1L, 2L), Profile.defaults(), "small", DECODER, 10, 0,
                4, FULL_VALIDATION_ITEMS, 0, List.of("baseline", "no-sam", "full"), 3, 11, 11, 2, 1.0, 0.05, 4, 3, FULL_SHARPNESS_BATCH, EVERY_CASE, 0,
                0, BASE_MODEL);
    }

    /**
     * Epochs of {@code long}: four times {@code full}'s 10, so 720 steps a run. The paper trains for 135 epochs of its
     * data; {@code full}'s 180 steps leave full's sigmas above their equilibria under SAM, so a negative result at 180
     * steps could be one of training length. About 0.4 s a step here, so about an hour for the 12 runs on 2 cores.
     */
    public static final int LONG_EPOCHS = 40;

    /**
     * {@code full}'s runs trained for {@link #LONG_EPOCHS} epochs: the same configurations, seeds, data and sampling,
     * scored on the test split, with {@code full}'s landscapes and sharpness estimate (so sharpness can be compared
     * across lengths), no validation pass and no kept examples.
     */
    public static AblationSettings longer() {
        AblationSettings f = full();
        return f.derived("long", f.trainable(), LONG_EPOCHS, 0, 0, f.baseModel());
    }

    /**
     * The profile whose runs are {@code profile}'s trained longer, if it has one: {@code long} for {@code full},
     * {@code long-all} for {@code full-all}.
     */
    public static java.util.Optional<String> longerProfile(String profile) {
        int from = profile.indexOf(FROM);
        if (from >= 0) { // full-from-X is trained longer as long-from-X
            return longerProfile(profile.substring(0, from)).map(p -> p + profile.substring(from));
        }
        return switch (profile) {
            case "full" -> java.util.Optional.of("long");
            case "full" + ALL_SUFFIX -> java.util.Optional.of("long" + ALL_SUFFIX);
            default -> java.util.Optional.empty();
        };
    }

    /**
     * A named profile: smoke, quick, full or long, each optionally with the suffix {@code -all} (see
     * {@link #trainingEveryParameter()}) and then {@code -from-<model>} (see {@link #fromBaseModel}).
     */
    public static AblationSettings named(String name) {
        int from = name.indexOf(FROM);
        if (from >= 0) {
            String model = name.substring(from + FROM.length());
            if (!org.umedsam.model.ShippedModels.isName(model)) {
                throw new IllegalArgumentException("profile '" + name + "': '" + model + "' after " + FROM
                        + " is not a shipped model's name (letters, digits and '-', see models/README.md)");
            }
            return named(name.substring(0, from)).fromBaseModel(model);
        }
        String n = name.toLowerCase(Locale.ROOT);
        boolean all = n.endsWith(ALL_SUFFIX);
        String base = all ? n.substring(0, n.length() - ALL_SUFFIX.length()) : n;
        AblationSettings s = switch (base) {
            case "smoke" -> smoke();
            case "quick" -> quick();
            case "full" -> full();
            case "long" -> longer();
            default -> throw new IllegalArgumentException("unknown profile '" + name
                    + "', expected smoke, quick, full or long, optionally with the suffix " + ALL_SUFFIX);
        };
        return all ? s.trainingEveryParameter() : s;
    }

    private static final String ALL_SUFFIX = "-all";
    private static final String FROM = "-from-";

    /**
     * This profile fine-tuning the shipped model {@code model} instead of {@link #BASE_MODEL}, as
     * {@code <profile>-from-<model>} with its own runs (and image embeddings: the encoder is the model's), e.g.
     * {@code full-from-small-base}; the profile itself when {@code model} is its base model already, and
     * the plain profile's name again for {@link #BASE_MODEL}.
     */
    public AblationSettings fromBaseModel(String model) {
        if (model.equals(baseModel)) {
            return this;
        }
        int from = profile.indexOf(FROM);
        String head = from >= 0 ? profile.substring(0, from) : profile;
        return derived(model.equals(BASE_MODEL) ? head : head + FROM + model, trainable, epochs, validationItems,
                examplesPerModality, model);
    }

    /**
     * This profile training every parameter (image and prompt encoders too, BatchNorm in training mode) instead
     * of the mask decoder and sigmas, as {@code <profile>-all} with its own runs. It starts from the same warm
     * start as the profile (see {@link #warmStartDir}). About four times the training time of the profile: 3.7 s
     * against 0.91 s per SAM step on the small preset.
     */
    public AblationSettings trainingEveryParameter() {
        if (trainable == ParameterGroup.ALL) {
            return this;
        }
        return derived(profile + ALL_SUFFIX, ParameterGroup.ALL, epochs, validationItems, examplesPerModality, baseModel);
    }

    /** This profile under another name with the fields that derived profiles change; every other field the same. */
    private AblationSettings derived(String name, ParameterGroup trainableGroup, int epochCount, int validation,
                                     int examples, String base) {
        return new AblationSettings(name, configurations, seeds, dataProfile, modelPreset, trainableGroup, epochCount,
                maxSteps, capPerModality, validation, testCases, landscapeConfigurations, landscapeBatch, points1d,
                points2d, directionPairs, span, sharpnessRho, sharpnessDirections, ascentSteps, sharpnessBatch, examples,
                warmStartSteps, warmStartLearningRate, base);
    }

    /** Where this profile's runs go under a runs root: {@code runsRoot/<profile>}. */
    public Path runsDir(Path runsRoot) {
        return runsRoot.resolve(profile);
    }

    /**
     * Where this profile's data lives: {@code dataRoot} for the default data profile, a sibling
     * {@code <dataRoot>-<data profile>} otherwise (so a smoke run never rebuilds the default data).
     */
    public Path dataDir(Path dataRoot) {
        if (dataProfile.equals(Profile.defaults())) {
            return dataRoot;
        }
        return dataRoot.toAbsolutePath().resolveSibling(dataRoot.getFileName() + "-" + dataProfile.name());
    }

    /**
     * Where the shared warm start is trained: {@code runsRoot/<profile>-warm-start} (outside {@link #runsDir});
     * a {@code -all} profile shares its base profile's ({@code quick-all} uses {@code quick-warm-start}).
     */
    public Path warmStartDir(Path runsRoot) {
        return runsRoot.resolve(baseProfile() + "-warm-start");
    }

    /** The profile's name without the {@code -all} suffix of {@link #trainingEveryParameter()}. */
    public String baseProfile() {
        return trainable == ParameterGroup.ALL && profile.endsWith(ALL_SUFFIX)
                ? profile.substring(0, profile.length() - ALL_SUFFIX.length()) : profile;
    }

    /** The run folder name of one configuration and seed: {@code <configuration>-s<seed>}. */
    public static String runName(String configuration, long seed) {
        return configuration + "-s" + seed;
    }
}

package org.umedsam.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.umedsam.io.AtomicFiles;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.loss.FixedWeightedLoss;
import org.umedsam.loss.Losses;
import org.umedsam.loss.UncertaintyWeightedLoss;
import org.umedsam.model.ModelConfig;
import org.umedsam.optim.AdamW;
import org.umedsam.optim.ReduceLrOnPlateau;

/**
 * How a training run is made. Every key is documented in {@code experiments/configs/README.md};
 * a JSON file may give any subset of the keys, the rest come from {@link #defaults()}, and an
 * unknown key is an error. Defaults follow the paper's Table 2 (batch 2, AdamW lr 5e-5,
 * ReduceLROnPlateau 0.9/5) with the U-MedSAM loss (uncertainty-weighted Dice + BCE + IoU + SD).
 *
 * @param name                run name; the run folder is {@code runs/<name>}
 * @param modelPreset         {@code small} or {@code litemedsam}
 * @param seed                seeds model initialisation, data order and augmentation
 * @param epochs              number of passes over the training split
 * @param batchSize           items per step
 * @param maxSteps            stop after this many optimizer steps in total (0: no limit)
 * @param losses              loss terms by name: dice, bce, mse, iou, sd, bd
 * @param weighting           {@code uncertainty} (learnable log-sigmas) or {@code fixed}
 * @param uncertaintyForm     {@code paper} (Eq. 1) or {@code code} (the U-MedSAM code's variant)
 * @param fixedWeights        one weight per loss for {@code fixed} (empty: all 1)
 * @param decaySigmas         apply weight decay to the log-sigmas (the U-MedSAM code does; default no)
 * @param trainable           {@code ALL} or {@code MASK_DECODER_AND_SIGMAS}
 * @param learningRate        AdamW learning rate
 * @param beta1               AdamW beta1
 * @param beta2               AdamW beta2
 * @param epsilon             AdamW epsilon
 * @param weightDecay         AdamW decoupled weight decay
 * @param sam                 wrap AdamW in Sharpness-Aware Minimization
 * @param samRho              SAM neighbourhood radius
 * @param samAdaptive         ASAM (scale-invariant) perturbation
 * @param plateauFactor       ReduceLROnPlateau factor
 * @param plateauPatience     ReduceLROnPlateau patience (epochs)
 * @param plateauThreshold    ReduceLROnPlateau relative threshold
 * @param plateauCooldown     ReduceLROnPlateau cooldown (epochs)
 * @param minLearningRate     ReduceLROnPlateau floor
 * @param validationFraction  share of the cases held out for the per-epoch validation pass (0: none)
 * @param checkpointEverySteps also write {@code last.ckpt} every this many steps (0: at epoch ends only)
 * @param gcEverySteps        call {@code System.gc()} every this many steps to release native memory (0: never, the
 *                           default: the CPU engine allocates little native memory, and a full collection makes
 *                           the JVM shrink and regrow its heap, which cost 2.7 s of a 9.7 s LiteMedSAM step; runs
 *                           on the SameDiff engine, such as double-precision models, may want 1)
 * @param boxesPerImage       boxes (targets) per image in a step: a step sees {@code batchSize} images and
 *                            {@code batchSize * boxesPerImage} boxes, each image embedded once (1: LiteMedSAM)
 * @param bboxShift           training box jitter: each side moves outward by up to this many pixels (LiteMedSAM: 5)
 * @param intensityAugmentation random gamma, contrast and brightness changes of training images
 *                            ({@code org.umedsam.data.IntensityAugmentation})
 * @param lrSchedule          {@code plateau} (ReduceLROnPlateau on the epoch's training loss, the paper's) or
 *                            {@code cosine} (linear warm-up, then cosine decay to {@code minLearningRate} at the
 *                            last step; a pure function of the step, so resumes exactly)
 * @param warmupSteps         linear warm-up steps of the {@code cosine} schedule
 * @param sigmaLearningRate   AdamW learning rate of the loss' log-sigmas (uncertainty weighting), scaled by the
 *                            schedule like the network's rate (a parameter group, as in PyTorch). Default
 *                            {@value #DEFAULT_SIGMA_LEARNING_RATE}: Adam moves a parameter by about its rate per
 *                            step, and log sigma_m must travel from 0 to its equilibrium {@code 0.5 ln L_m} (the
 *                            paper's form; -1 to -2.5 for losses of 0.1 to 0.01), so at the network's 5e-5 it moves
 *                            less than 1 % in a run of hundreds of steps and the weights stay fixed at 1/2; at 2e-2
 *                            it gets there in 50 to 130 steps (the full ablation profile trains 180) and then
 *                            jitters by about 2 % of sigma
 * @param initialWeights      start from these weights instead of the preset's random initialisation
 *                            (empty: random): an upstream {@code .pth} state dict such as
 *                            {@code lite_medsam.pth}, a umedsam model file, or a run's {@code .ckpt};
 *                            see {@link InitialWeights}
 * @param batchNormCalibrationImages recompute every BatchNorm's running statistics from this many training images
 *                            ({@link BatchNormCalibration}) at each epoch's end before the validation pass and the
 *                            checkpoint, or, without a validation split, at the run's end only (before its last
 *                            checkpoint: an earlier {@code best.ckpt} keeps the moving average). 0, the default: keep
 *                            the moving average training leaves, as PyTorch does. Only with {@code trainable}
 *                            {@code ALL}: a frozen encoder's statistics never move
 */
public record TrainConfig(
        String name,
        String modelPreset,
        long seed,
        int epochs,
        int batchSize,
        int maxSteps,
        List<String> losses,
        String weighting,
        String uncertaintyForm,
        List<Double> fixedWeights,
        boolean decaySigmas,
        ParameterGroup trainable,
        double learningRate,
        double beta1,
        double beta2,
        double epsilon,
        double weightDecay,
        boolean sam,
        double samRho,
        boolean samAdaptive,
        double plateauFactor,
        int plateauPatience,
        double plateauThreshold,
        int plateauCooldown,
        double minLearningRate,
        double validationFraction,
        int checkpointEverySteps,
        int gcEverySteps,
        int boxesPerImage,
        int bboxShift,
        boolean intensityAugmentation,
        String lrSchedule,
        int warmupSteps,
        double sigmaLearningRate,
        String initialWeights,
        int batchNormCalibrationImages) {

    /** Default {@link #sigmaLearningRate()}; see there for why. */
    public static final double DEFAULT_SIGMA_LEARNING_RATE = 2e-2;

    public TrainConfig {
        // no leading '.': the name is a folder under runs/, and '.', '..' or a hidden folder would escape or hide it
        require(name != null && name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*"), "name must be letters, digits, '.', '_'"
                + " or '-' and not start with '.', got '" + name + "'");
        require(ModelConfig.NAMES.contains(modelPreset), "modelPreset must be one of " + ModelConfig.NAMES + ", got '"
                + modelPreset + "'");
        require(epochs >= 1, "epochs must be >= 1, got " + epochs);
        require(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
        require(maxSteps >= 0, "maxSteps must be >= 0, got " + maxSteps);
        require(losses != null && !losses.isEmpty(), "losses must name at least one loss");
        for (String l : losses) {
            require(Losses.NAMES.contains(l), "unknown loss '" + l + "' in losses, expected one of " + Losses.NAMES);
        }
        require(losses.stream().distinct().count() == losses.size(), "losses lists a term twice: " + losses);
        losses = List.copyOf(losses);
        require("uncertainty".equals(weighting) || "fixed".equals(weighting),
                "weighting must be 'uncertainty' or 'fixed', got '" + weighting + "'");
        require("paper".equals(uncertaintyForm) || "code".equals(uncertaintyForm),
                "uncertaintyForm must be 'paper' or 'code', got '" + uncertaintyForm + "'");
        fixedWeights = fixedWeights == null ? List.of() : List.copyOf(fixedWeights);
        require(fixedWeights.isEmpty() || fixedWeights.size() == losses.size(),
                "fixedWeights has " + fixedWeights.size() + " entries for " + losses.size() + " losses");
        require(trainable != null, "trainable must be ALL or MASK_DECODER_AND_SIGMAS");
        // delegate the optimizer and scheduler checks to their own records
        new AdamW.Config(learningRate, beta1, beta2, epsilon, weightDecay);
        new ReduceLrOnPlateau.Config(plateauFactor, plateauPatience, plateauThreshold, plateauCooldown, minLearningRate);
        require(samRho >= 0 && Double.isFinite(samRho), "samRho must be >= 0, got " + samRho);
        require(validationFraction >= 0 && validationFraction < 1, "validationFraction must lie in [0, 1), got "
                + validationFraction);
        require(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0, got " + checkpointEverySteps);
        require(gcEverySteps >= 0, "gcEverySteps must be >= 0, got " + gcEverySteps);
        require(boxesPerImage >= 1 && boxesPerImage <= 64, "boxesPerImage must lie in 1..64, got " + boxesPerImage);
        require(bboxShift >= 0, "bboxShift must be >= 0, got " + bboxShift);
        require("plateau".equals(lrSchedule) || "cosine".equals(lrSchedule),
                "lrSchedule must be 'plateau' or 'cosine', got '" + lrSchedule + "'");
        require(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
        require(sigmaLearningRate > 0 && Double.isFinite(sigmaLearningRate),
                "sigmaLearningRate must be positive and finite, got " + sigmaLearningRate);
        initialWeights = initialWeights == null ? "" : initialWeights;
        require(batchNormCalibrationImages >= 0, "batchNormCalibrationImages must be >= 0, got "
                + batchNormCalibrationImages);
        require(batchNormCalibrationImages == 0 || trainable == ParameterGroup.ALL, "batchNormCalibrationImages needs "
                + "trainable ALL: with a frozen image encoder the BatchNorm statistics never change");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** U-MedSAM "full": uncertainty-weighted (paper form) Dice + BCE + IoU + SD under SAM, Table 2 settings. */
    public static TrainConfig defaults() {
        return new TrainConfig("full", "small", 2024, 10, 2, 0, List.of("dice", "bce", "iou", "sd"), "uncertainty",
                "paper", List.of(), false, ParameterGroup.ALL, 5e-5, 0.9, 0.999, 1e-8, 0.01, true, 0.05, false,
                0.9, 5, 1e-4, 0, 0.0, 0.1, 0, 0, 1, 5, false, "plateau", 0, DEFAULT_SIGMA_LEARNING_RATE, "", 0);
    }

    public AdamW.Config adamW() {
        return new AdamW.Config(learningRate, beta1, beta2, epsilon, weightDecay);
    }

    /**
     * The {@code cosine} schedule's learning rate for 0-based {@code step} of {@code totalSteps}:
     * {@code lr (step + 1) / warmupSteps} during warm-up, then
     * {@code min + (lr - min) (1 + cos(pi t)) / 2} with {@code t} going from 0 to 1 over the remaining steps.
     */
    public double cosineLearningRate(long step, long totalSteps) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        long rest = Math.max(1, totalSteps - warmupSteps - 1);
        double t = Math.min(1.0, (double) (step - warmupSteps) / rest);
        double floor = Math.min(minLearningRate, learningRate);
        return floor + (learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    /** The training sampler's settings of this configuration (seed, jitter, flips, boxes per image, intensity). */
    public org.umedsam.data.SamplerConfig sampler() {
        return org.umedsam.data.SamplerConfig.defaults().withSeed(seed).withBboxShift(bboxShift)
                .withBoxesPerImage(boxesPerImage).withIntensity(intensityAugmentation);
    }

    public ReduceLrOnPlateau.Config plateau() {
        return new ReduceLrOnPlateau.Config(plateauFactor, plateauPatience, plateauThreshold, plateauCooldown,
                minLearningRate);
    }

    /** The configured loss. */
    public CompositeLoss buildLoss() {
        if ("fixed".equals(weighting)) {
            double[] w = new double[losses.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = fixedWeights.isEmpty() ? 1.0 : fixedWeights.get(i);
            }
            return new FixedWeightedLoss(Losses.byNames(losses), w);
        }
        return new UncertaintyWeightedLoss(Losses.byNames(losses),
                "paper".equals(uncertaintyForm) ? UncertaintyWeightedLoss.Form.PAPER : UncertaintyWeightedLoss.Form.CODE);
    }

    // ---- JSON ----

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses JSON over the defaults; an unknown or repeated key or a bad value is an error naming {@code source}. */
    public static TrainConfig fromJson(String json, String source) {
        JsonObject merged = GSON.toJsonTree(defaults()).getAsJsonObject();
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        String twice = StrictJson.duplicateKey(json);
        if (twice != null) {
            // the parsed object keeps the last value only: "sam": true ... "sam": false would silently mean false
            throw new IllegalArgumentException(source + ": key '" + twice + "' appears more than once");
        }
        for (Map.Entry<String, JsonElement> e : parsed.getAsJsonObject().entrySet()) {
            if (e.getKey().startsWith("_")) {
                continue; // comments such as "_comment"
            }
            if (!merged.has(e.getKey())) {
                throw new IllegalArgumentException(source + ": unknown key '" + e.getKey() + "'; known keys: "
                        + merged.keySet());
            }
            String problem = StrictJson.typeProblem(TrainConfig.class, e.getKey(), e.getValue());
            if (problem != null) {
                throw new IllegalArgumentException(source + ": " + problem);
            }
            merged.add(e.getKey(), e.getValue());
        }
        try {
            return GSON.fromJson(merged, TrainConfig.class);
        } catch (RuntimeException e) {
            // the record's checks run inside Gson, which wraps their exception
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException(source + ": " + root.getMessage(), e);
        }
    }

    public static TrainConfig read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a folder, not a configuration file");
        }
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such configuration file");
        }
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Writes atomically (temp file + rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson() + "\n");
    }

    public TrainConfig withName(String newName) {
        return with(Map.of("name", newName));
    }

    /** A copy with some keys replaced (values as JSON would give them). */
    public TrainConfig with(Map<String, Object> changes) {
        JsonObject o = GSON.toJsonTree(this).getAsJsonObject();
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            if (!o.has(e.getKey())) {
                throw new IllegalArgumentException("unknown key '" + e.getKey() + "'");
            }
            JsonElement v = GSON.toJsonTree(e.getValue());
            String problem = StrictJson.typeProblem(TrainConfig.class, e.getKey(), v);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            o.add(e.getKey(), v);
        }
        try {
            return GSON.fromJson(o, TrainConfig.class);
        } catch (RuntimeException e) {
            // the record's checks run inside Gson, which wraps their exception: report the check's own
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw root instanceof IllegalArgumentException iae ? iae : e;
        }
    }
}

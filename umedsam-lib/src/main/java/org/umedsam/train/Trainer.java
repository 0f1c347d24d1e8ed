package org.umedsam.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.loss.CombinedLoss;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.loss.TargetMaps;
import org.umedsam.optim.AdamW;
import org.umedsam.optim.Evaluation;
import org.umedsam.optim.GradientClosure;
import org.umedsam.optim.GradientNorm;
import org.umedsam.optim.ReduceLrOnPlateau;
import org.umedsam.optim.SharpnessAwareMinimizer;

/**
 * The training loop: per step a {@link Batch}, the {@link Objective}'s loss and gradients, AdamW
 * (optionally under SAM) over the trained group plus the loss' log-sigmas ({@value Objective#LOG_SIGMA},
 * [M] float64); per epoch a {@link Validation} pass (after a {@link BatchNormCalibration} when configured, which
 * without validation items runs at the run's end only), ReduceLROnPlateau on the epoch's mean training loss
 * (or the cosine schedule) and a checkpoint ({@link Checkpointer}); every step a row of the
 * {@link RunRecord}. The side concerns live in those classes; this one only orders them.
 *
 * <p>Determinism: a {@link TrainingSource} gives each item as a pure function of (epoch, position)
 * and nothing else here is random, so the position in the run is the sampler's whole state and a
 * resumed run repeats the uninterrupted one.
 */
public final class Trainer {
    /**
     * @param progressBar        show a progress bar with ETA on the console
     * @param interruptAfterSteps stop with {@link TrainingInterruptedException} after this step (0: never);
     *                           simulates a killed run in resume tests
     * @param log                where epoch summaries go
     */
    public record Options(boolean progressBar, long interruptAfterSteps, PrintStream log) {
        public static Options defaults() {
            return new Options(true, 0, System.out);
        }

        public static Options quiet() {
            return new Options(false, 0, new PrintStream(PrintStream.nullOutputStream()));
        }

        public Options interruptingAfter(long steps) {
            return new Options(progressBar, steps, log);
        }
    }

    /**
     * What a finished run reports.
     *
     * @param runDir         the run folder
     * @param steps          optimizer steps completed in total
     * @param epochsCompleted epochs completed
     * @param firstEpochLoss mean training loss of the first epoch recorded in this folder
     * @param lastEpochLoss  mean training loss of the last epoch
     * @param logSigmas      the final log-sigmas (empty for fixed weights)
     */
    public record Result(Path runDir, long steps, int epochsCompleted, double firstEpochLoss, double lastEpochLoss,
                         double[] logSigmas) {
        /** Readable in a notebook: the log-sigmas' values, not the array's identity. */
        @Override
        public String toString() {
            return "Result[runDir=" + runDir + ", steps=" + steps + ", epochsCompleted=" + epochsCompleted
                    + ", firstEpochLoss=" + firstEpochLoss + ", lastEpochLoss=" + lastEpochLoss + ", logSigmas="
                    + java.util.Arrays.toString(logSigmas) + "]";
        }
    }

    private final TrainConfig config;
    private final TrainableModel model;
    private final TrainingSource train;
    private final Options options;
    private final RunFolder folder;
    private final CompositeLoss loss;
    private final INDArray logSigma;
    private final AdamW adamW;
    private final SharpnessAwareMinimizer sam;
    private final ReduceLrOnPlateau plateau;
    private final Map<String, INDArray> trainable = new LinkedHashMap<>();
    private final Set<String> modelWrt;
    private final Objective objective;
    private final Validation validation;
    /** Recomputes the BatchNorm statistics at epoch ends; null when the configuration asks for none. */
    private final BatchNormCalibration calibration;
    private final Checkpointer checkpointer;
    private final Map<Long, TargetMaps> trainMaps = new HashMap<>();
    private RunRecord record;

    // where the run stands
    private long step;
    private int epoch;
    private int stepInEpoch;
    private double epochLossSum;
    private double epochSeconds;
    private double bestScore = Double.NEGATIVE_INFINITY;

    private Trainer(TrainConfig config, TrainableModel model, TrainingSource train, TrainingSource validation,
                    Options options, RunFolder folder) {
        if (train.epochSize(0) == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        this.config = config;
        this.model = model;
        this.train = train;
        this.options = options;
        this.folder = folder;
        this.loss = config.buildLoss();
        this.logSigma = loss.logSigmaCount() > 0 ? Nd4j.createFromArray(loss.initialLogSigmas()) : null;
        Set<String> noDecay = config.decaySigmas() ? Set.of() : Set.of(Objective.LOG_SIGMA);
        // the log-sigmas are a parameter group with their own rate (see TrainConfig.sigmaLearningRate)
        this.adamW = new AdamW(config.adamW(), noDecay::contains, config.learningRate() > 0
                ? Map.of(Objective.LOG_SIGMA, config.sigmaLearningRate() / config.learningRate()) : Map.of());
        this.sam = config.sam() ? new SharpnessAwareMinimizer(adamW, config.samRho(), config.samAdaptive()) : null;
        this.plateau = new ReduceLrOnPlateau(config.plateau());
        this.modelWrt = new TreeSet<>(model.parameterNames(config.trainable()));
        Map<String, INDArray> params = model.parameters();
        for (String name : modelWrt) {
            INDArray p = params.get(name);
            if (p == null) {
                throw new IllegalArgumentException("model has no parameter '" + name + "'");
            }
            trainable.put(name, p);
        }
        if (logSigma != null) {
            trainable.put(Objective.LOG_SIGMA, logSigma);
        }
        this.objective = new Objective(model, loss, modelWrt, (term, value) -> {
            throw new NonFiniteLossException(step + 1, epoch, term, value);
        });
        this.validation = new Validation(validation, objective, config.batchSize());
        this.calibration = config.batchNormCalibrationImages() == 0 ? null : new BatchNormCalibration(train,
                config.batchNormCalibrationImages(), BatchNormCalibration.DEFAULT_BATCH_IMAGES, config.boxesPerImage());
        this.checkpointer = new Checkpointer(folder, model, logSigma, loss.logSigmaCount(), adamW, plateau,
                config.toJson());
    }

    /** Starts a new run in a fresh folder under {@code runsDir} (suffixed if the name is taken). */
    public static Result start(TrainConfig config, TrainableModel model, TrainingSource train,
                               TrainingSource validation, Path runsDir, Options options) throws IOException {
        if (!config.initialWeights().isEmpty()) {
            // a fresh start only (a resumed run restores its own checkpoint instead); read before the
            // run folder is made, so that refused weights leave no run behind
            InitialWeights.load(model, Path.of(config.initialWeights()));
            options.log().println("initial weights from " + config.initialWeights());
        }
        RunFolder folder = RunFolder.createFresh(runsDir, config.name());
        if (!folder.name().equals(config.name())) {
            options.log().println("run folder " + runsDir.resolve(config.name()) + " exists; writing to "
                    + folder.dir() + " instead");
        }
        config.write(folder.config());
        RunInfo.writeNew(folder.runInfo(), config, folder.name(), train.skippedCases(),
                validation == null ? 0 : validation.epochSize(0), train.dataDir());
        Trainer t = new Trainer(config, model, train, validation, options, folder);
        t.record = new RunRecord(folder.dir(), t.loss.termNames(), t.logSigma != null);
        return t.run();
    }

    /** Continues the run in {@code runDir} from its {@code checkpoint/last.ckpt}. */
    public static Result resume(Path runDir, TrainableModel model, TrainingSource train, TrainingSource validation,
                                Options options) throws IOException {
        RunFolder folder = RunFolder.existing(runDir);
        int stale = Checkpointer.removeInterruptedWrites(folder);
        if (stale > 0) {
            options.log().println("removed " + stale + " temporary file(s) left by an interrupted write");
        }
        TrainConfig config = TrainConfig.read(folder.config());
        Checkpoint ckpt = Checkpoint.read(folder.lastCheckpoint());
        Trainer t = new Trainer(config, model, train, validation, options, folder);
        t.moveTo(t.checkpointer.restore(ckpt));
        t.record = RunRecord.resume(folder.dir(), t.loss.termNames(), t.logSigma != null, t.step, t.epoch);
        RunInfo.recordResume(folder.runInfo(), t.step, train.dataDir());
        options.log().println("resuming " + folder.dir() + " at step " + t.step + " (epoch " + t.epoch + ", step "
                + t.stepInEpoch + " of it)");
        return t.run();
    }

    /** Items (boxes) per step: {@code batchSize} images of {@code boxesPerImage} boxes each. */
    private int itemsPerStep() {
        return config.batchSize() * config.boxesPerImage();
    }

    /** Optimizer steps in {@code epoch} (the last batch may be smaller). */
    public int stepsInEpoch(int ep) {
        return (train.epochSize(ep) + itemsPerStep() - 1) / itemsPerStep();
    }

    public long totalSteps() {
        long all = 0;
        for (int e = 0; e < config.epochs(); e++) {
            all += stepsInEpoch(e);
        }
        return config.maxSteps() > 0 ? Math.min(all, config.maxSteps()) : all;
    }

    private Result run() throws IOException {
        long total = totalSteps();
        boolean cosine = "cosine".equals(config.lrSchedule());
        double firstEpochLoss = record.epochs().rowCount() > 0
                ? record.epochs().doubleColumn("train_loss").get(0) : Double.NaN;
        double lastEpochLoss = record.epochs().rowCount() > 0
                ? record.epochs().doubleColumn("train_loss").get(record.epochs().rowCount() - 1) : Double.NaN;
        boolean interruptedAtTheEnd = false;
        try (ProgressBar bar = options.progressBar() ? new ProgressBarBuilder().setTaskName(folder.name())
                .setInitialMax(total).startsFrom(step, Duration.ZERO).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000).showSpeed().build() : null) {
            while (step < total) {
                CombinedLoss stepLoss = trainStep(total, cosine);
                // An interrupt of this thread (the notebook's interrupt button, which on JDK 20+ can only
                // interrupt) stops the run after this step's bookkeeping, with a checkpoint of the step. Cleared
                // meanwhile: an interrupted thread's file channels refuse to write, checkpoints included.
                boolean interrupted = Thread.interrupted();
                if (bar != null) {
                    bar.stepTo(step);
                    bar.setExtraMessage(String.format(" loss %.4f", stepLoss.total()));
                }
                if (config.gcEverySteps() > 0 && step % config.gcEverySteps() == 0) {
                    System.gc(); // ND4J frees native buffers only when their Java objects are collected
                }
                boolean last = step == total;
                boolean saved = true;
                if (stepInEpoch == stepsInEpoch(epoch) || last) {
                    double trainLoss = endEpoch(cosine, last);
                    if (Double.isNaN(firstEpochLoss)) {
                        firstEpochLoss = trainLoss;
                    }
                    lastEpochLoss = trainLoss;
                } else if (config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0) {
                    checkpointer.save(position(), false, record);
                } else {
                    saved = false;
                }
                if (interrupted && !last) {
                    if (!saved) {
                        checkpointer.save(position(), false, record);
                    }
                    record.flush();
                    Thread.currentThread().interrupt(); // the caller's to see
                    throw new TrainingInterruptedException(step);
                }
                interruptedAtTheEnd = interrupted;
                if (options.interruptAfterSteps() > 0 && step == options.interruptAfterSteps() && !last) {
                    record.flush();
                    throw new TrainingInterruptedException(step);
                }
            }
        }
        record.flush();
        if (interruptedAtTheEnd) {
            Thread.currentThread().interrupt(); // the run had ended anyway; the caller's to see
        }
        return new Result(folder.dir(), step, epoch, firstEpochLoss, lastEpochLoss, logSigmas());
    }

    /** One optimizer step on the next batch, recorded; returns its loss. */
    private CombinedLoss trainStep(long total, boolean cosine) {
        long t0 = System.nanoTime();
        Batch batch = trainBatch(epoch, stepInEpoch);
        if (cosine) {
            adamW.setLearningRate(config.cosineLearningRate(step, total));
        }
        double lr = adamW.learningRate();
        StepOutcome out;
        try {
            out = optimizerStep(batch);
        } finally {
            model.weightsChanged(modelWrt); // the optimizer wrote them in place
        }
        step++;
        stepInEpoch++;
        epochLossSum += out.loss().total();
        double seconds = (System.nanoTime() - t0) / 1e9;
        epochSeconds += seconds;
        record.addStep(step, epoch, lr, out.gradNorm(), out.loss().total(), out.loss().terms(), sigmas(), seconds);
        return out.loss();
    }

    /**
     * Closes the epoch: BatchNorm calibration when configured, validation, the learning-rate schedule, the epoch's record and a checkpoint (the best
     * when it scores best: validation DSC, else minus the training loss); returns the epoch's mean training loss.
     */
    private double endEpoch(boolean cosine, boolean lastOfRun) throws IOException {
        double trainLoss = epochLossSum / stepInEpoch;
        // the running statistics matter only where a model is evaluated: each validation pass, else the run's end
        if (calibration != null && (validation.hasItems() || lastOfRun)) {
            BatchNormCalibration.Result c = calibration.run(model);
            options.log().printf(java.util.Locale.ROOT, "epoch %d: BatchNorm statistics of %d layers recomputed from %d "
                    + "training images in %.1f s%n", epoch, c.layers(), c.images(), c.seconds());
        }
        Validation.Score val = validation.run(logSigmas());
        double lrAfter = cosine ? adamW.learningRate() : plateau.step(trainLoss, adamW);
        record.addEpoch(epoch, trainLoss, val.loss(), val.dsc(), lrAfter, epochSeconds);
        String valText = Double.isNaN(val.loss()) && Double.isNaN(val.dsc()) ? "no validation"
                : String.format(java.util.Locale.ROOT, "val loss %.5f, val DSC %.4f", val.loss(), val.dsc());
        options.log().printf(java.util.Locale.ROOT, "epoch %d: train loss %.5f, %s, lr %.3g, %.1f s%n",
                epoch, trainLoss, valText, lrAfter, epochSeconds);
        double score = Double.isNaN(val.dsc()) ? -trainLoss : val.dsc();
        epoch++;
        stepInEpoch = 0;
        epochLossSum = 0;
        epochSeconds = 0;
        boolean best = score > bestScore;
        if (best) {
            bestScore = score;
        }
        checkpointer.save(position(), best, record);
        return trainLoss;
    }

    private record StepOutcome(CombinedLoss loss, double gradNorm) {
    }

    private StepOutcome optimizerStep(Batch b) {
        // SAM's perturbed pass sees the perturbed log-sigmas too: they are read at each pass
        GradientClosure<CombinedLoss> closure = perturbed -> objective.evaluate(b, logSigmas(), true, !perturbed);
        if (sam != null) {
            SharpnessAwareMinimizer.Step<CombinedLoss> s = sam.step(trainable, closure);
            return new StepOutcome(s.first().details(), s.gradNorm());
        }
        Evaluation<CombinedLoss> ev = closure.evaluate(false);
        double norm = GradientNorm.of(ev.gradients());
        adamW.step(trainable, ev.gradients());
        return new StepOutcome(ev.details(), norm);
    }

    private Batch trainBatch(int ep, int pos) {
        int from = pos * itemsPerStep();
        int count = Math.min(itemsPerStep(), train.epochSize(ep) - from);
        return Batch.load(train, ep, from, count, config.boxesPerImage(), trainMaps);
    }

    // ---- state ----

    private RunPosition position() {
        return new RunPosition(step, epoch, stepInEpoch, epochLossSum, epochSeconds, bestScore);
    }

    private void moveTo(RunPosition p) {
        step = p.step();
        epoch = p.epoch();
        stepInEpoch = p.stepInEpoch();
        epochLossSum = p.epochLossSum();
        epochSeconds = p.epochSeconds();
        bestScore = p.bestScore();
    }

    private double[] logSigmas() {
        return logSigma == null ? new double[0] : logSigma.toDoubleVector();
    }

    private double[] sigmas() {
        double[] s = logSigmas();
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.exp(s[i]);
        }
        return s;
    }

    public Map<String, INDArray> trainableParameters() {
        return trainable;
    }
}

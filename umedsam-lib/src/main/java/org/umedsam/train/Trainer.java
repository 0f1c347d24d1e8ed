package org.umedsam.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.loss.CombinedLoss;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.loss.MaskBatch;
import org.umedsam.loss.TargetMaps;
import org.umedsam.metrics.Dice;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;
import org.umedsam.optim.AdamW;
import org.umedsam.optim.Evaluation;
import org.umedsam.optim.GradientClosure;
import org.umedsam.optim.GradientNorm;
import org.umedsam.optim.ReduceLrOnPlateau;
import org.umedsam.optim.SharpnessAwareMinimizer;

/**
 * The training loop: losses outside the model in float64 ({@link CompositeLoss}), parameter
 * gradients from the model for the surrogate {@code sum(logits * gradLogits) + sum(iou * gradIou)},
 * AdamW (optionally under SAM) over the trained group plus the loss' log-sigmas
 * ({@value #LOG_SIGMA}, [M] float64), ReduceLROnPlateau on the epoch's mean training loss, a
 * validation pass with DSC per epoch, CSV records, atomic checkpoints and exact resume.
 *
 * <p>Determinism: a {@link TrainingSource} gives each item as a pure function of (epoch, position)
 * and nothing else here is random, so the position in the run is the sampler's whole state and a
 * resumed run repeats the uninterrupted one.
 */
public final class Trainer {
    /** Name of the loss' log-sigmas among the optimizer's parameters. */
    public static final String LOG_SIGMA = "loss.log_sigma";
    /** PyTorch's BatchNorm momentum. */
    public static final double BN_MOMENTUM = 0.1;

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
    }

    private final TrainConfig config;
    private final TrainableModel model;
    private final TrainingSource train;
    private final TrainingSource validation;
    private final Options options;
    private final RunFolder folder;
    private final CompositeLoss loss;
    private final INDArray logSigma;
    private final AdamW adamW;
    private final SharpnessAwareMinimizer sam;
    private final ReduceLrOnPlateau plateau;
    private final Map<String, INDArray> trainable = new LinkedHashMap<>();
    private final Set<String> modelWrt;
    private final Map<Long, TargetMaps> trainMaps = new HashMap<>();
    private final Map<Long, TargetMaps> validationMaps = new HashMap<>();
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
        this.validation = validation;
        this.options = options;
        this.folder = folder;
        this.loss = config.buildLoss();
        this.logSigma = loss.logSigmaCount() > 0 ? Nd4j.createFromArray(loss.initialLogSigmas()) : null;
        Set<String> noDecay = config.decaySigmas() ? Set.of() : Set.of(LOG_SIGMA);
        // the log-sigmas are a parameter group with their own rate (see TrainConfig.sigmaLearningRate)
        this.adamW = new AdamW(config.adamW(), noDecay::contains, config.learningRate() > 0
                ? Map.of(LOG_SIGMA, config.sigmaLearningRate() / config.learningRate()) : Map.of());
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
            trainable.put(LOG_SIGMA, logSigma);
        }
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
        RunInfo.writeNew(folder.runInfo(), config, folder.name(), train.skippedCases());
        Trainer t = new Trainer(config, model, train, validation, options, folder);
        t.record = new RunRecord(folder.dir(), t.loss.termNames(), t.logSigma != null);
        return t.run();
    }

    /** Continues the run in {@code runDir} from its {@code checkpoint/last.ckpt}. */
    public static Result resume(Path runDir, TrainableModel model, TrainingSource train, TrainingSource validation,
                                Options options) throws IOException {
        RunFolder folder = RunFolder.existing(runDir);
        int stale = AtomicFiles.removeStaleTemporaries(folder.dir()) + AtomicFiles.removeStaleTemporaries(
                folder.lastCheckpoint().getParent());
        if (stale > 0) {
            options.log().println("removed " + stale + " temporary file(s) left by an interrupted write");
        }
        TrainConfig config = TrainConfig.read(folder.config());
        Checkpoint ckpt = Checkpoint.read(folder.lastCheckpoint());
        Trainer t = new Trainer(config, model, train, validation, options, folder);
        t.restore(ckpt);
        t.record = RunRecord.resume(folder.dir(), t.loss.termNames(), t.logSigma != null, t.step, t.epoch);
        RunInfo.recordResume(folder.runInfo(), t.step);
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
        try (ProgressBar bar = options.progressBar() ? new ProgressBarBuilder().setTaskName(folder.name())
                .setInitialMax(total).startsFrom(step, Duration.ZERO).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000).showSpeed().build() : null) {
            while (step < total) {
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
                record.addStep(step, epoch, lr, out.gradNorm(), out.loss().total(), out.loss().terms(), sigmas(),
                        seconds);
                if (bar != null) {
                    bar.stepTo(step);
                    bar.setExtraMessage(String.format(" loss %.4f", out.loss().total()));
                }
                if (config.gcEverySteps() > 0 && step % config.gcEverySteps() == 0) {
                    System.gc(); // ND4J frees native buffers only when their Java objects are collected
                }
                boolean last = step == total;
                if (stepInEpoch == stepsInEpoch(epoch) || last) {
                    double trainLoss = epochLossSum / stepInEpoch;
                    double[] val = validate();
                    double lrAfter = cosine ? adamW.learningRate() : plateau.step(trainLoss, adamW);
                    record.addEpoch(epoch, trainLoss, val[0], val[1], lrAfter, epochSeconds);
                    options.log().printf("epoch %d: train loss %.5f, val loss %.5f, val DSC %.4f, lr %.3g, %.1f s%n",
                            epoch, trainLoss, val[0], val[1], lrAfter, epochSeconds);
                    if (Double.isNaN(firstEpochLoss)) {
                        firstEpochLoss = trainLoss;
                    }
                    lastEpochLoss = trainLoss;
                    double score = Double.isNaN(val[1]) ? -trainLoss : val[1];
                    epoch++;
                    stepInEpoch = 0;
                    epochLossSum = 0;
                    epochSeconds = 0;
                    boolean best = score > bestScore;
                    if (best) {
                        bestScore = score;
                    }
                    saveCheckpoint(best);
                } else if (config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0) {
                    saveCheckpoint(false);
                }
                if (options.interruptAfterSteps() > 0 && step == options.interruptAfterSteps() && !last) {
                    record.flush();
                    throw new TrainingInterruptedException(step);
                }
            }
        }
        record.flush();
        return new Result(folder.dir(), step, epoch, firstEpochLoss, lastEpochLoss, logSigmas());
    }

    private record StepOutcome(CombinedLoss loss, double gradNorm) {
    }

    private StepOutcome optimizerStep(Batch b) {
        GradientClosure<CombinedLoss> closure = perturbed -> pass(b, perturbed);
        if (sam != null) {
            SharpnessAwareMinimizer.Step<CombinedLoss> s = sam.step(trainable, closure);
            return new StepOutcome(s.first().details(), s.gradNorm());
        }
        Evaluation<CombinedLoss> ev = closure.evaluate(false);
        double norm = GradientNorm.of(ev.gradients());
        adamW.step(trainable, ev.gradients());
        return new StepOutcome(ev.details(), norm);
    }

    /** One forward/loss/backward pass at the current weights. */
    private Evaluation<CombinedLoss> pass(Batch b, boolean perturbed) {
        Engine.Pass pass = model.forward(b.images(), b.boxes(), true);
        ModelOutput out = pass.output();
        MaskBatch mb = maskBatch(b, out);
        CombinedLoss c = loss.evaluate(mb, logSigmas());
        checkFinite(c);
        INDArray gl = Nd4j.createFromArray(c.gradLogits()).reshape(out.lowResLogits().shape())
                .castTo(out.lowResLogits().dataType());
        INDArray gi = Nd4j.createFromArray(c.gradIou()).reshape(out.iou().shape()).castTo(out.iou().dataType());
        Map<String, INDArray> grads = new LinkedHashMap<>(pass.backward(gl, gi, modelWrt));
        if (logSigma != null) {
            grads.put(LOG_SIGMA, Nd4j.createFromArray(c.gradLogSigma()));
        }
        double norm = GradientNorm.of(grads);
        if (!Double.isFinite(norm)) {
            throw new NonFiniteLossException(step + 1, epoch, "grad_norm", norm);
        }
        if (!perturbed) {
            model.applyBatchNormStatistics(out, BN_MOMENTUM);
        }
        return new Evaluation<>(grads, c);
    }

    private void checkFinite(CombinedLoss c) {
        for (Map.Entry<String, Double> e : c.terms().entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new NonFiniteLossException(step + 1, epoch, e.getKey(), e.getValue());
            }
        }
        if (!Double.isFinite(c.total())) {
            throw new NonFiniteLossException(step + 1, epoch, "total", c.total());
        }
    }

    private MaskBatch maskBatch(Batch b, ModelOutput out) {
        long[] s = out.lowResLogits().shape();
        if (s.length != 4 || s[0] != b.size() || s[1] != 1) {
            throw new IllegalStateException("model returned logits of shape " + java.util.Arrays.toString(s)
                    + ", expected [" + b.size() + ", 1, H, W]");
        }
        return new MaskBatch(b.size(), (int) s[2], (int) s[3], NdArrays.toDoubles(out.lowResLogits()),
                NdArrays.toDoubles(out.iou()), b.maps());
    }

    /**
     * [validation loss, validation DSC], NaN when there is no validation split. The DSC is the mean over the
     * items whose Dice is defined ({@link #dice}: not both masks empty), NaN when none is.
     */
    private double[] validate() {
        if (validation == null || validation.epochSize(0) == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double lossSum = 0;
        double dscSum = 0;
        int scored = 0;
        int n = validation.epochSize(0);
        for (int from = 0; from < n; from += config.batchSize()) {
            int count = Math.min(config.batchSize(), n - from);
            Batch b = load(validation, 0, from, count, validationMaps, 1);
            MaskBatch mb = maskBatch(b, model.forward(b.images(), b.boxes(), false).output());
            lossSum += loss.evaluate(mb, logSigmas()).total() * count;
            int plane = mb.plane();
            for (int item = 0; item < count; item++) {
                double d = dice(mb.logits(), item * plane, b.maps()[item].target());
                if (!Double.isNaN(d)) {
                    dscSum += d;
                    scored++;
                }
            }
        }
        return new double[] {lossSum / n, scored == 0 ? Double.NaN : dscSum / scored};
    }

    /**
     * DSC of {@code logits > 0} against {@code target > 0.5}, by the toolkit's one Dice
     * ({@link Dice#fromCounts}): NaN when both masks are empty, the challenge's convention.
     */
    static double dice(double[] logits, int offset, double[] target) {
        long inter = 0;
        long p = 0;
        long t = 0;
        for (int i = 0; i < target.length; i++) {
            boolean a = logits[offset + i] > 0;
            boolean c = target[i] > 0.5;
            if (a) {
                p++;
            }
            if (c) {
                t++;
            }
            if (a && c) {
                inter++;
            }
        }
        return Dice.fromCounts(t, p, inter);
    }

    // ---- data ----

    record Batch(INDArray images, INDArray boxes, TargetMaps[] maps) {
        int size() {
            return maps.length;
        }
    }

    private Batch trainBatch(int ep, int pos) {
        int from = pos * itemsPerStep();
        int count = Math.min(itemsPerStep(), train.epochSize(ep) - from);
        return load(train, ep, from, count, trainMaps, config.boxesPerImage());
    }

    /**
     * Items {@code from .. from + count - 1} as a batch whose images are every {@code perImage}-th item's:
     * the source gives {@code perImage} consecutive items per image (checked), so the model embeds each once.
     */
    private Batch load(TrainingSource source, int ep, int from, int count, Map<Long, TargetMaps> cache, int perImage) {
        if (count % perImage != 0 || from % perImage != 0) {
            throw new IllegalStateException("items " + from + ".." + (from + count - 1) + " do not hold whole groups of "
                    + perImage + " boxes per image");
        }
        TrainingExample first = null;
        float[] images = null;
        float[] boxes = new float[count * 4];
        TargetMaps[] maps = new TargetMaps[count];
        float[] groupImage = null;
        for (int k = 0; k < count; k++) {
            TrainingExample ex = source.example(ep, from + k);
            long key = source.cacheKey(ep, from + k);
            if (first == null) {
                first = ex;
                images = new float[count / perImage * ex.image().length];
            } else if (ex.height() != first.height() || ex.width() != first.width()) {
                throw new IllegalArgumentException("example '" + ex.id() + "' is " + ex.height() + "x" + ex.width()
                        + ", but '" + first.id() + "' in the same batch is " + first.height() + "x" + first.width());
            }
            if (k % perImage == 0) {
                groupImage = ex.image();
                System.arraycopy(ex.image(), 0, images, k / perImage * ex.image().length, ex.image().length);
            } else if (!java.util.Arrays.equals(groupImage, ex.image())) {
                throw new IllegalStateException("example '" + ex.id() + "' should share the image of the "
                        + perImage + " boxes of its group (boxesPerImage " + perImage + ") but does not");
            }
            System.arraycopy(ex.box(), 0, boxes, k * 4, 4);
            if (key >= 0) {
                maps[k] = cache.computeIfAbsent(key, i -> TargetMaps.of(ex.mask(), ex.height(), ex.width()));
            } else {
                maps[k] = TargetMaps.of(ex.mask(), ex.height(), ex.width());
            }
        }
        INDArray im = Nd4j.create(images, new long[] {count / perImage, 3, first.height(), first.width()}, 'c');
        INDArray bx = Nd4j.create(boxes, new long[] {count, 4}, 'c');
        return new Batch(im, bx, maps);
    }

    // ---- state ----

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

    private void saveCheckpoint(boolean best) throws IOException {
        record.flush(); // records first: after a crash they are never behind the checkpoint
        Map<String, INDArray> params = new LinkedHashMap<>();
        model.parameters().forEach((k, v) -> params.put(k, v));
        Map<String, Double> sched = new LinkedHashMap<>(plateau.stateDict());
        Checkpoint.Meta meta = new Checkpoint.Meta(step, epoch, stepInEpoch, epochLossSum, epochSeconds, bestScore,
                sched, config.toJson());
        Checkpoint c = new Checkpoint(params, model.buffers(), adamW.stateDict(), logSigmas(), meta);
        if (best) {
            // best first, atomically like last: once last.ckpt records this score as the best,
            // best.ckpt already holds it, whenever the process dies
            c.write(folder.bestCheckpoint());
        }
        c.write(folder.lastCheckpoint());
    }

    private void restore(Checkpoint c) {
        Map<String, INDArray> params = model.parameters();
        if (!params.keySet().equals(c.parameters().keySet())) {
            throw new IllegalArgumentException("checkpoint parameters do not match the model: "
                    + diff(params.keySet(), c.parameters().keySet()));
        }
        params.forEach((k, v) -> NdArrays.assignChecked(v, c.parameters().get(k), "parameter " + k));
        Map<String, INDArray> buffers = model.buffers();
        if (!buffers.keySet().equals(c.buffers().keySet())) {
            throw new IllegalArgumentException("checkpoint buffers do not match the model: "
                    + diff(buffers.keySet(), c.buffers().keySet()));
        }
        buffers.forEach((k, v) -> NdArrays.assignChecked(v, c.buffers().get(k), "buffer " + k));
        model.weightsChanged(params.keySet());
        model.weightsChanged(buffers.keySet());
        if (c.logSigmas().length != loss.logSigmaCount()) {
            throw new IllegalArgumentException("checkpoint has " + c.logSigmas().length + " log-sigmas, the loss "
                    + loss.logSigmaCount());
        }
        if (logSigma != null) {
            logSigma.assign(Nd4j.createFromArray(c.logSigmas()));
        }
        adamW.loadStateDict(c.optimizer());
        plateau.loadStateDict(c.meta().scheduler());
        Checkpoint.Meta m = c.meta();
        step = m.step();
        epoch = m.epoch();
        stepInEpoch = m.stepInEpoch();
        epochLossSum = m.epochLossSum();
        epochSeconds = m.epochSeconds();
        bestScore = m.bestScore();
    }

    private static String diff(Set<String> model, Set<String> ckpt) {
        Set<String> missing = new TreeSet<>(model);
        missing.removeAll(ckpt);
        Set<String> extra = new TreeSet<>(ckpt);
        extra.removeAll(model);
        return "missing " + first(missing) + ", unexpected " + first(extra);
    }

    private static List<String> first(Set<String> s) {
        return s.stream().limit(5).toList();
    }

    public Map<String, INDArray> trainableParameters() {
        return trainable;
    }
}

package org.umedsam.train;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.AtomicFiles;
import org.umedsam.optim.AdamW;
import org.umedsam.optim.ReduceLrOnPlateau;

/**
 * A run's {@link Checkpoint}s: writes {@code last.ckpt} (and {@code best.ckpt}) of the run's state, and puts
 * a checkpoint's state back into the live model, log-sigmas, optimizer and scheduler for an exact resume.
 *
 * <p>Writing order is what makes a crash harmless: the records are flushed first (they are never behind
 * the checkpoint), then {@code best.ckpt}, then {@code last.ckpt}, each atomically ({@link AtomicFiles}).
 */
public final class Checkpointer {
    private final RunFolder folder;
    private final TrainableModel model;
    private final INDArray logSigma;
    private final int logSigmaCount;
    private final AdamW adamW;
    private final ReduceLrOnPlateau plateau;
    private final String configJson;

    /**
     * @param logSigma      the loss' live log-sigmas [M] float64, null when it has none
     * @param logSigmaCount M (0 for fixed weights)
     * @param configJson    the run's configuration, kept in every checkpoint
     */
    public Checkpointer(RunFolder folder, TrainableModel model, INDArray logSigma, int logSigmaCount, AdamW adamW,
                        ReduceLrOnPlateau plateau, String configJson) {
        if ((logSigma == null) != (logSigmaCount == 0) || (logSigma != null && logSigma.length() != logSigmaCount)) {
            throw new IllegalArgumentException("log-sigmas: " + (logSigma == null ? "none" : logSigma.length())
                    + " live values for " + logSigmaCount + " in the loss");
        }
        this.folder = folder;
        this.model = model;
        this.logSigma = logSigma;
        this.logSigmaCount = logSigmaCount;
        this.adamW = adamW;
        this.plateau = plateau;
        this.configJson = configJson;
    }

    /** Removes temporary files an interrupted write left in the run folder; returns how many. */
    public static int removeInterruptedWrites(RunFolder folder) throws IOException {
        return AtomicFiles.removeStaleTemporaries(folder.dir())
                + AtomicFiles.removeStaleTemporaries(folder.lastCheckpoint().getParent());
    }

    /** Flushes {@code record}, then writes the state at {@code at} as the last (and, if {@code best}, best) checkpoint. */
    public void save(RunPosition at, boolean best, RunRecord record) throws IOException {
        record.flush(); // records first: after a crash they are never behind the checkpoint
        Map<String, INDArray> params = new LinkedHashMap<>(model.parameters());
        Map<String, Double> sched = new LinkedHashMap<>(plateau.stateDict());
        Checkpoint.Meta meta = new Checkpoint.Meta(at.step(), at.epoch(), at.stepInEpoch(), at.epochLossSum(),
                at.epochSeconds(), at.bestScore(), sched, configJson);
        Checkpoint c = new Checkpoint(params, model.buffers(), adamW.stateDict(),
                logSigma == null ? new double[0] : logSigma.toDoubleVector(), meta);
        if (best) {
            // best first, atomically like last: once last.ckpt records this score as the best,
            // best.ckpt already holds it, whenever the process dies
            c.write(folder.bestCheckpoint());
        }
        c.write(folder.lastCheckpoint());
    }

    /**
     * Puts {@code c}'s parameters, buffers, log-sigmas, optimizer and scheduler state back; returns where the
     * run stood. Names and shapes are checked against the live model and loss.
     */
    public RunPosition restore(Checkpoint c) {
        Map<String, INDArray> params = model.parameters();
        if (!params.keySet().equals(c.parameters().keySet())) {
            throw new IllegalArgumentException("checkpoint parameters do not match the model: "
                    + diff(params.keySet(), c.parameters().keySet()));
        }
        params.forEach((k, v) -> StateArrays.assignChecked(v, c.parameters().get(k), "parameter " + k));
        Map<String, INDArray> buffers = model.buffers();
        if (!buffers.keySet().equals(c.buffers().keySet())) {
            throw new IllegalArgumentException("checkpoint buffers do not match the model: "
                    + diff(buffers.keySet(), c.buffers().keySet()));
        }
        buffers.forEach((k, v) -> StateArrays.assignChecked(v, c.buffers().get(k), "buffer " + k));
        model.weightsChanged(params.keySet());
        model.weightsChanged(buffers.keySet());
        if (c.logSigmas().length != logSigmaCount) {
            throw new IllegalArgumentException("checkpoint has " + c.logSigmas().length + " log-sigmas, the loss "
                    + logSigmaCount);
        }
        if (logSigma != null) {
            logSigma.assign(Nd4j.createFromArray(c.logSigmas()));
        }
        adamW.loadStateDict(c.optimizer());
        plateau.loadStateDict(c.meta().scheduler());
        Checkpoint.Meta m = c.meta();
        return new RunPosition(m.step(), m.epoch(), m.stepInEpoch(), m.epochLossSum(), m.epochSeconds(),
                m.bestScore());
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
}

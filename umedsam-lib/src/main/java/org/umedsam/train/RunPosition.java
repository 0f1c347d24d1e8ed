package org.umedsam.train;

/**
 * Where a run stands, as a checkpoint keeps it: with the data order a pure function of (epoch, position),
 * this is the sampler's whole state too.
 *
 * @param step         optimizer steps completed
 * @param epoch        current epoch (0-based)
 * @param stepInEpoch  steps of {@code epoch} completed
 * @param epochLossSum sum of the step losses of {@code epoch} so far (the scheduler's metric)
 * @param epochSeconds wall seconds spent in {@code epoch} so far
 * @param bestScore    best checkpoint score so far (validation DSC, or minus the train loss)
 */
public record RunPosition(long step, int epoch, int stepInEpoch, double epochLossSum, double epochSeconds,
                          double bestScore) {
    public RunPosition {
        if (step < 0 || epoch < 0 || stepInEpoch < 0) {
            throw new IllegalArgumentException("a run position counts from 0, got step " + step + ", epoch " + epoch
                    + ", step in epoch " + stepInEpoch);
        }
    }

    /** A fresh run's: nothing done, no best score yet. */
    public static RunPosition start() {
        return new RunPosition(0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY);
    }
}

package org.umedsam.train;

/** Thrown when {@link Trainer.Options#interruptAfterSteps()} stops a run on purpose (resume tests). */
public final class TrainingInterruptedException extends RuntimeException {
    public TrainingInterruptedException(long step) {
        super("training interrupted on request after step " + step);
    }
}

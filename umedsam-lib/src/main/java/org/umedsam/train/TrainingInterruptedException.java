package org.umedsam.train;

/**
 * Thrown when a run stops before its last step: when {@link Trainer.Options#interruptAfterSteps()} stops it on purpose
 * (resume tests: no checkpoint of that step, as after a kill), or when the training thread is interrupted (a
 * notebook's interrupt button, {@code Thread.interrupt()}): then after the step during which it was, with a
 * checkpoint of that step, from which {@link Trainer#resume} goes on as the uninterrupted run would have.
 */
public final class TrainingInterruptedException extends RuntimeException {
    public TrainingInterruptedException(long step) {
        super("training interrupted on request after step " + step);
    }
}

package org.umedsam.analysis.grid;

import java.io.IOException;

/** Runs a grid's tasks somewhere: {@link LocalExecutor} (child processes) or {@link SlurmExecutor} (a job array). */
public interface GridExecutor {
    /** Runs what {@code plan} has left to do (the local executor returns when it is done, SLURM once submitted). */
    void execute(GridPlan plan) throws IOException, InterruptedException;

    /** Each run's state: its folder and, where a scheduler holds it, the scheduler's view. */
    GridStatus status(GridStudy study) throws IOException, InterruptedException;
}

/**
 * Ablation grids run as separate processes, on top of {@code analysis} (the top of data -> model -> loss ->
 * optim -> train -> metrics -> report): on one machine several at once ({@link
 * org.umedsam.analysis.grid.LocalExecutor}), or on a cluster as a SLURM job array ({@link
 * org.umedsam.analysis.grid.SlurmExecutor}).
 *
 * <p>A grid is three steps ({@link org.umedsam.analysis.grid.GridTask}): prepare what every run shares (data,
 * warm start), train and score each configuration x seed still unfinished, then finish (landscapes, every
 * figure and table). Each step is the {@code umedsam} jar started on one task ({@link
 * org.umedsam.analysis.grid.TaskLauncher}), with a thread count of its own. The run folders are the only
 * shared state: a finished run (its {@code scores.csv}) is never trained again, an interrupted one resumes
 * from its checkpoint, so a grid can be stopped and submitted again at any point.
 *
 * <p>Results do not depend on the executor: a run is the same computation in a child process or on a cluster
 * node. They depend, by a few float ulps in the training losses and weights, on the run's thread count (the
 * native BLAS and ND4J reductions sum in an order that depends on it); the scores and tables are the same
 * (checked by {@code experiments/slurm/test-local-cluster}), and with equal thread counts the checkpoints are
 * bit-identical.
 */
package org.umedsam.analysis.grid;

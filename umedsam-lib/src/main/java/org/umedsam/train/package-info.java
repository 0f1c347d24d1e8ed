/**
 * Training runs, fifth in data -> model -> loss -> optim -> train -> metrics -> report. The
 * {@link org.umedsam.train.Trainer} is a short loop that orders its parts: a
 * {@link org.umedsam.train.Batch} (training items stacked, [B, 3, H, W] images with K boxes each), the
 * {@link org.umedsam.train.Objective} (the model's forward pass through
 * {@link org.umedsam.train.TrainableModel}, the loss from {@code loss}, the backward pass; the loss
 * landscape in {@code analysis} evaluates the same one), a step from {@code optim}, the
 * {@link org.umedsam.train.Validation} pass (DSC by {@code metrics.Dice}), the records
 * ({@link org.umedsam.train.RunRecord}) and the {@link org.umedsam.train.Checkpointer}
 * ({@link org.umedsam.train.Checkpoint}s that resume bit for bit, written by
 * {@link org.umedsam.io.AtomicFiles}).
 *
 * <p>A configuration ({@link org.umedsam.train.TrainConfig}) becomes a model and data in one place,
 * {@link org.umedsam.train.TrainingSetup}, for the CLI, pre-training ({@link org.umedsam.train.Pretraining}),
 * the ablation study and the landscapes. {@link org.umedsam.train.LiteMedSamModel} adapts
 * {@code org.umedsam.model.LiteMedSam}; weights files are read through {@code org.umedsam.model.ModelFiles}
 * ({@link org.umedsam.train.InitialWeights} for a run's starting weights). Used by {@code analysis} and the CLI.
 */
package org.umedsam.train;

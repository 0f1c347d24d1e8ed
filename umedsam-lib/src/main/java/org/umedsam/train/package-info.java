/**
 * Training runs, fifth in data -> model -> loss -> optim -> train -> metrics -> report: the
 * {@link org.umedsam.train.Trainer} loop (samples from {@code data}, the model's forward and backward
 * through {@link org.umedsam.train.TrainableModel}, losses from {@code loss}, steps from {@code optim},
 * validation DSC by {@code metrics.Dice}), its configuration ({@link org.umedsam.train.TrainConfig}), the
 * run folder it writes ({@link org.umedsam.train.RunFolder}: records, {@link org.umedsam.train.Checkpoint}s
 * that resume bit for bit, {@link org.umedsam.train.AtomicFiles}), initial weights and pre-training.
 *
 * <p>{@link org.umedsam.train.LiteMedSamModel} adapts {@code org.umedsam.model.LiteMedSam}; weights files are
 * read through {@code org.umedsam.model.ModelFiles}. Used by {@code analysis} and the CLI.
 */
package org.umedsam.train;

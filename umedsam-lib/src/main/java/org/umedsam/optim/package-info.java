/**
 * Optimizers over named parameters, fourth in data -> model -> loss -> optim -> train -> metrics ->
 * report: {@link org.umedsam.optim.AdamW} (PyTorch's arithmetic), {@link org.umedsam.optim.Sgd}, Sharpness-Aware
 * Minimization around either ({@link org.umedsam.optim.SharpnessAwareMinimizer}, ASAM as an option),
 * {@link org.umedsam.optim.ReduceLrOnPlateau} and the global gradient norm.
 *
 * <p>Model-agnostic: an optimizer updates {@code INDArray}s in place and asks a
 * {@link org.umedsam.optim.GradientClosure} (supplied by {@code train}) for the loss and gradients at the
 * current weights, which is what SAM's second pass needs. Depends on nothing else of umedsam.
 */
package org.umedsam.optim;

package org.umedsam.optim;

/**
 * Computes the loss and its gradients at the parameters' current values.
 *
 * @param <T> what the caller wants back besides the gradients (loss values, model outputs)
 */
@FunctionalInterface
public interface GradientClosure<T> {
    /**
     * @param perturbedPass {@code false} for an ordinary pass at w, {@code true} for SAM's second pass
     *                      at w + e (the caller must not update BatchNorm running statistics then)
     */
    Evaluation<T> evaluate(boolean perturbedPass);
}

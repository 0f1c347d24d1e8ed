package org.umedsam.loss;

/**
 * A loss value with its analytic gradients.
 *
 * @param name       the loss' short name ({@code dice}, {@code bce}, ...)
 * @param value      the scalar loss
 * @param gradLogits dL/dlogits, [B, 1, H, W]
 * @param gradIou    dL/diouPred, [B, 1] (zeros for losses that do not use the IoU head)
 */
public record LossTerm(String name, double value, double[] gradLogits, double[] gradIou) {
}

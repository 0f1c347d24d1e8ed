package org.umedsam.loss;

import java.util.Map;

/**
 * The result of a {@link CompositeLoss}: the total to minimise, each term's own value, and the
 * gradients of the total.
 *
 * @param total        the scalar minimised
 * @param terms        each term's unweighted value, in configuration order
 * @param gradLogSigma d total / d s_m, one per learnable log-sigma (empty for fixed weights)
 * @param gradLogits   d total / d logits, [B, 1, H, W]
 * @param gradIou      d total / d iouPred, [B, 1]
 */
public record CombinedLoss(double total, Map<String, Double> terms, double[] gradLogSigma, double[] gradLogits,
                           double[] gradIou) {
}

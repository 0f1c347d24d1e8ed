/**
 * Segmentation losses, third in data -> model -> loss -> optim -> train -> metrics -> report: each
 * {@link org.umedsam.loss.SegLoss} takes a {@link org.umedsam.loss.MaskBatch} (the model's mask logits
 * {@code [B, 1, H, W]} and IoU prediction {@code [B, 1]} as double arrays, one
 * {@link org.umedsam.loss.TargetMaps} per item) and returns its value with exact gradients
 * ({@link org.umedsam.loss.LossTerm}). Terms: Dice, BCE, IoU head, shape distance, boundary, MSE
 * ({@link org.umedsam.loss.Losses} finds them by name). {@link org.umedsam.loss.CompositeLoss} combines
 * them with fixed weights or U-MedSAM's learned uncertainty weights
 * ({@link org.umedsam.loss.UncertaintyWeightedLoss}).
 *
 * <p>Computed in plain Java in float64, outside the model: the model only hands back logits and takes
 * dLoss/dLogits. Depends on {@code geometry} (distance maps) only.
 */
package org.umedsam.loss;

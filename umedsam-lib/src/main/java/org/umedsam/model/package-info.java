/**
 * LiteMedSAM on SameDiff (ND4J 1.0.0-M2.1), numerically matching the upstream PyTorch model
 * (bowang-lab/MedSAM, branch LiteMedSAM): {@link org.umedsam.model.LiteMedSam} is the entry point.
 *
 * <ul>
 *   <li>{@link org.umedsam.model.ModelConfig}: shapes; presets {@code liteMedSam()} (upstream, 9,791,300
 *       parameters, 435 state-dict keys) and {@code small()}.</li>
 *   <li>{@link org.umedsam.model.WeightMapping}: the upstream state-dict layout; variables carry the
 *       upstream key names and PyTorch shapes, so .pth import and export are identities on names.</li>
 *   <li>Graph parts, one per upstream module: {@code PatchEmbed}, {@code MBConv}, {@code PatchMerging},
 *       {@code WindowAttention}, {@code TinyVitBlock}, {@code ImageEncoder}, {@code PromptEncoder},
 *       {@code SamAttention}, {@code TwoWayTransformer}, {@code MaskDecoder}; shared blocks in
 *       {@code Net}.</li>
 * </ul>
 *
 * <p>Float32 passes, training included, run on the hand-scheduled CPU engine of {@code org.umedsam.model.cpu}
 * (see {@code LiteMedSam.ForwardEngine}); the graphs remain the reference and run double-precision models.
 *
 * <p>Training contract: losses are computed outside the graph; {@code gradients(...)} differentiates
 * {@code sum(logits * gradLogits) + sum(iou * gradIou)} with the two weights fed as placeholders.
 * BatchNorm batch statistics come back with a training-mode forward pass and are applied explicitly
 * with {@code applyBatchNormStatistics}.
 */
package org.umedsam.model;

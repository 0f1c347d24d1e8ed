/**
 * The reference engine, {@link org.umedsam.model.samediff.SameDiffEngine}: LiteMedSAM as SameDiff graphs
 * (ND4J 1.0.0-M2.1) over the model's live arrays, one graph part per upstream module ({@code PatchEmbed},
 * {@code MBConv}, {@code PatchMerging}, {@code WindowAttention}, {@code TinyVitBlock}, {@code ImageEncoder},
 * {@code PromptEncoder}, {@code SamAttention}, {@code TwoWayTransformer}, {@code MaskDecoder}; shared blocks in
 * {@code Net}). In the flow data -> model -> loss -> optim -> train, it sits inside {@code model}: the CPU engine
 * ({@code org.umedsam.model.cpu}) is checked against it, and double-precision models (gradient checks),
 * {@code LiteMedSam.trace} and gradients the CPU engine does not cover run on it. Depends on {@code model} and ND4J.
 */
package org.umedsam.model.samediff;

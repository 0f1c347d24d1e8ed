package org.umedsam.model.cpu;

/**
 * What a {@link CpuTwoWayTransformer} pass keeps for its backward ({@link TwoWayTransformerGradient}):
 * the results, queries {@code [T, E]} and keys {@code [HW, E]}, and per block the attentions' tapes, the
 * LayerNorms' tapes and the MLP's input and hidden activation. Every array is the pass's own: none
 * changes before the backward.
 */
record TwoWayTransformerTape(float[] queries, float[] keys, int t, int hw, Block[] blocks,
                             TokenToImageAttentionGradient.Tape finalAttn, Norm finalNorm) {

    /** A LayerNorm's tape: normalised values {@code xhat [rows, E]} and inverse standard deviations {@code [rows]}. */
    record Norm(float[] xhat, float[] inv, int rows) {
    }

    /** One block's tape. */
    record Block(TokenAttentionGradient.Tape self, Norm n1, TokenToImageAttentionGradient.Tape toImage, Norm n2,
                 float[] mlpIn, float[] hidden, Norm n3, ImageToTokenAttentionGradient.Tape toTokens, Norm n4) {
    }
}

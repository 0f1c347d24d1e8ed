package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

/**
 * The forward of TinyViT's window attention core for one image, {@code softmax(q k^T / sqrt(d) + bias) v} per
 * window and head, between the qkv and output projections: {@link WindowAttentionKernel} (plain Java, shared
 * with training, whose backward recomputes its weights bit for bit) or {@link VectorWindowAttention} (Vector
 * API, inference only).
 */
interface WindowAttentionForward {

    /**
     * @param qkv {@code [side*side + 1, 3 * heads * headDim]}: per token and head q, k, v of {@code headDim} each
     *            (upstream's view {@code [N, heads, 3*headDim]}); the last row is the padded token's
     * @param out {@code [side*side, heads * headDim]}, written for every real token
     */
    void apply(float[] qkv, int side, float[] out);

    /**
     * The fastest forward this JVM runs for inference: {@link VectorWindowAttention} when
     * {@link VectorSupport#enabled()} and it supports the head dim, else {@link WindowAttentionKernel}.
     *
     * @param attentionBiases {@code [heads, ws*ws]}
     */
    static WindowAttentionForward forInference(int heads, int headDim, int ws, float[] attentionBiases) {
        // VectorWindowAttention is only touched when the module is present: loading it without fails
        if (VectorSupport.enabled() && VectorWindowAttention.supports(headDim)) {
            return new VectorWindowAttention(heads, headDim, ws, attentionBiases);
        }
        return new WindowAttentionKernel(heads, headDim, ws, attentionBiases);
    }
}

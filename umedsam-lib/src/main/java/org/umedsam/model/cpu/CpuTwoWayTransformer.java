package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * SAM's two-way transformer (transformer.py, as {@code org.umedsam.model.TwoWayTransformer}) for one
 * prompt: {@code depth} blocks of token self-attention, token-to-image attention, ReLU MLP and
 * image-to-token attention, each followed by LayerNorm (eps 1e-5), the PEs re-added to queries and
 * keys; the first block's self-attention skips the query PE and its residual; then a final
 * token-to-image attention and LayerNorm.
 */
final class CpuTwoWayTransformer {

    static final String P = "mask_decoder.transformer.";
    private static final float EPS = (float) ModelConfig.LN_EPS;

    private final int dim;
    private final Block[] blocks;
    private final TokenToImageAttention finalAttn;
    private final float[][] finalNorm;

    /** One block's layers ({@code prefix} is its state-dict key prefix); norms are {weight, bias}. */
    record Block(String prefix, CpuAttention self, float[][] norm1, TokenToImageAttention toImage, float[][] norm2,
                 Linear lin1, Linear lin2, float[][] norm3, ImageToTokenAttention toTokens,
                 float[][] norm4) {
    }

    CpuTwoWayTransformer(ModelConfig c, StateDictWeights w) {
        int e = c.promptEmbedDim();
        int internal = e / c.attentionDownsample();
        int heads = c.transformerHeads();
        this.dim = e;
        this.blocks = new Block[c.transformerDepth()];
        for (int l = 0; l < blocks.length; l++) {
            String b = P + "layers." + l;
            blocks[l] = new Block(b,
                    new CpuAttention(w, b + ".self_attn", e, e, heads), w.norm(b + ".norm1", e),
                    new TokenToImageAttention(new CpuAttention(w, b + ".cross_attn_token_to_image", e, internal, heads)),
                    w.norm(b + ".norm2", e),
                    Linear.read(w, b + ".mlp.lin1", e, c.transformerMlpDim(), true),
                    Linear.read(w, b + ".mlp.lin2", c.transformerMlpDim(), e, true),
                    w.norm(b + ".norm3", e),
                    new ImageToTokenAttention(new CpuAttention(w, b + ".cross_attn_image_to_token", e, internal, heads)),
                    w.norm(b + ".norm4", e));
        }
        this.finalAttn = new TokenToImageAttention(new CpuAttention(w, P + "final_attn_token_to_image", e, internal, heads));
        this.finalNorm = w.norm(P + "norm_final_attn", e);
    }

    /**
     * @param pointTokens the prompt/output tokens {@code [T, E]}, also their PE (not modified)
     * @param keys        image tokens {@code [HW, E]}; updated in place to the transformer's output keys
     * @param pe          image PE {@code [HW, E]}
     * @param firstKpe    {@code keys + pe} for the input keys (shared by every box of an image), not modified
     * @param buf         scratch arrays (slots KEYS_PE, ATTN, SCORES)
     * @return queries {@code [T, E]}
     */
    float[] forward(float[] pointTokens, int t, float[] keys, float[] pe, float[] firstKpe, int hw, DecoderBuffers buf) {
        int e = dim;
        float[] q = pointTokens.clone();
        float[] kpe = firstKpe;
        float[] scratch = buf.get(DecoderBuffers.Slot.KEYS_PE, hw * e);
        float[] attn = buf.get(DecoderBuffers.Slot.ATTN, hw * e);
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            if (l == 0) {
                q = b.self.tokens(q, t, q, q, t);
            } else {
                float[] qp = plus(q, pointTokens);
                addInPlace(q, b.self.tokens(qp, t, qp, q, t));
            }
            LayerNorm.rows(q, 0, q, 0, t, e, b.norm1[0], b.norm1[1], EPS);
            if (l > 0) {
                kpe = scratch;
                DecoderKernels.add(keys, pe, kpe, hw * e);
            }
            addInPlace(q, b.toImage.forward(plus(q, pointTokens), t, kpe, keys, hw, buf));
            LayerNorm.rows(q, 0, q, 0, t, e, b.norm2[0], b.norm2[1], EPS);
            addInPlace(q, b.lin2.apply(b.lin1.apply(q, t, Activation.RELU), t, Activation.NONE));
            LayerNorm.rows(q, 0, q, 0, t, e, b.norm3[0], b.norm3[1], EPS);
            b.toTokens.forward(kpe, hw, plus(q, pointTokens), q, t, attn, buf);
            float[] bo = b.toTokens.outputBias();
            float[] n4w = b.norm4[0];
            float[] n4b = b.norm4[1];
            DecoderKernels.parallel(hw, e * 4, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int o = r * e;
                    for (int i = 0; i < e; i++) {
                        keys[o + i] += attn[o + i] + bo[i];
                    }
                    LayerNorm.row(keys, o, keys, o, e, n4w, n4b, EPS);
                }
            });
        }
        DecoderKernels.add(keys, pe, scratch, hw * e);
        addInPlace(q, finalAttn.forward(plus(q, pointTokens), t, scratch, keys, hw, buf));
        LayerNorm.rows(q, 0, q, 0, t, e, finalNorm[0], finalNorm[1], EPS);
        return q;
    }

    /** The blocks, first to last (read by {@link TwoWayTransformerGradient}). */
    Block[] blocks() {
        return blocks.clone();
    }

    /** The final token-to-image attention, {@code P + "final_attn_token_to_image"}. */
    TokenToImageAttention finalAttention() {
        return finalAttn;
    }

    /** The final LayerNorm's {weight, bias}, {@code P + "norm_final_attn"}. */
    float[][] finalNorm() {
        return finalNorm;
    }

    int dim() {
        return dim;
    }

    /** {@code a + b} element-wise into a new array. */
    static float[] plus(float[] a, float[] b) {
        float[] y = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    /** {@code a += b} element-wise. */
    static void addInPlace(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }
}

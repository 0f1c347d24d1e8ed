package org.umedsam.model.samediff;

import org.umedsam.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * SAM's two-way transformer (transformer.py): {@code depth} blocks of token self-attention,
 * token-to-image cross-attention, ReLU MLP and image-to-token cross-attention (each followed by
 * LayerNorm, positional encodings re-added to queries and keys; the first block's self-attention skips
 * the query PE), then a final token-to-image attention and LayerNorm.
 */
final class TwoWayTransformer {
    private TwoWayTransformer() {
    }

    /** Returns {queries [B, T, E], keys [B, HW, E]}. */
    static SDVariable[] build(Net n, SDVariable imageTokens, SDVariable imagePe, long hw, SDVariable pointTokens, long t) {
        ModelConfig c = n.config;
        int e = c.promptEmbedDim();
        int internal = e / c.attentionDownsample();
        String p = "mask_decoder.transformer.";
        SDVariable queries = pointTokens;
        SDVariable keys = imageTokens;
        for (int l = 0; l < c.transformerDepth(); l++) {
            String b = p + "layers." + l;
            if (l == 0) {
                queries = SamAttention.build(n, b + ".self_attn", queries, t, queries, queries, t, e);
            } else {
                SDVariable q = queries.add(pointTokens);
                queries = queries.add(SamAttention.build(n, b + ".self_attn", q, t, q, queries, t, e));
            }
            queries = n.layerNorm(queries, b + ".norm1", 2, ModelConfig.LN_EPS);
            SDVariable q = queries.add(pointTokens);
            SDVariable k = keys.add(imagePe);
            queries = queries.add(SamAttention.build(n, b + ".cross_attn_token_to_image", q, t, k, keys, hw, internal));
            queries = n.layerNorm(queries, b + ".norm2", 2, ModelConfig.LN_EPS);
            SDVariable h = n.sd.nn().relu(n.linear(n.sd.reshape(queries, -1, e), b + ".mlp.lin1", true), 0.0);
            h = n.linear(h, b + ".mlp.lin2", true);
            queries = queries.add(n.sd.reshape(h, -1, t, e));
            queries = n.layerNorm(queries, b + ".norm3", 2, ModelConfig.LN_EPS);
            q = queries.add(pointTokens);
            k = keys.add(imagePe);
            keys = keys.add(SamAttention.build(n, b + ".cross_attn_image_to_token", k, hw, q, queries, t, internal));
            keys = n.layerNorm(keys, b + ".norm4", 2, ModelConfig.LN_EPS);
        }
        SDVariable q = queries.add(pointTokens);
        SDVariable k = keys.add(imagePe);
        queries = queries.add(SamAttention.build(n, p + "final_attn_token_to_image", q, t, k, keys, hw, internal));
        queries = n.layerNorm(queries, p + "norm_final_attn", 2, ModelConfig.LN_EPS);
        return new SDVariable[]{queries, keys};
    }
}

package org.umedsam.model.samediff;

import org.umedsam.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;

/**
 * SAM mask decoder (mask_decoder.py {@code predict_masks}): output tokens (IoU token, mask tokens)
 * followed by the sparse prompt tokens go through the two-way transformer against the image embedding
 * plus the dense prompt embedding; the image tokens are up-scaled 4x by two transposed 2x2 convolutions
 * (LayerNorm2d and GELU between, GELU after); each mask token's hypernetwork MLP gives the weights of
 * a dot product with the up-scaled features; the IoU token's MLP predicts one IoU per mask token.
 *
 * <p>Outputs all mask tokens: masks {@code [B, T, 4g, 4g]}, iou {@code [B, T]}, T = multimask + 1;
 * single-mask output is token 0, multimask output tokens 1..T-1.
 */
final class MaskDecoder {
    private MaskDecoder() {
    }

    private static final String P = "mask_decoder.";

    /**
     * @param embedding image embedding {@code [B, E, g, g]}
     * @param sparse    prompt tokens {@code [B, S, E]}
     * @param densePe   positional encoding tokens {@code [1, g*g, E]}
     * @param sparseTokens S
     * @return {masks [B, T, 4g, 4g], iou [B, T]}
     */
    static SDVariable[] build(Net n, SDVariable embedding, SDVariable sparse, long sparseTokens, SDVariable densePe) {
        ModelConfig c = n.config;
        int e = c.promptEmbedDim();
        int g = c.embeddingSize();
        long hw = (long) g * g;
        int maskTokens = c.numMultimaskOutputs() + 1;
        long t = 1 + maskTokens + sparseTokens;

        SDVariable out = n.sd.concat(0, n.p(P + "iou_token.weight"), n.p(P + "mask_tokens.weight")); // [1+M, E]
        // broadcast over the batch: ones [B, 1, 1] taken from the prompt tensor's shape (no gradient flows)
        SDVariable ones = n.sd.onesLike(n.slice(n.slice(sparse, 3, 1, 0, 1), 3, 2, 0, 1));
        SDVariable outTokens = ones.mul(n.sd.reshape(out, 1, 1 + maskTokens, e));
        SDVariable tokens = n.sd.concat(1, outTokens, sparse); // [B, T, E]

        SDVariable src = embedding.add(PromptEncoder.denseEmbedding(n));
        SDVariable srcTokens = n.nchwToTokens(src, e, g, g);
        SDVariable[] tr = TwoWayTransformer.build(n, srcTokens, densePe, hw, tokens, t);
        SDVariable hs = tr[0];
        SDVariable keys = tr[1];

        SDVariable map = n.tokensToNchw(keys, e, g, g);
        SDVariable up = n.sd.cnn().deconv2d(map, n.sd.permute(n.p(P + "output_upscaling.0.weight"), 2, 3, 1, 0),
                n.p(P + "output_upscaling.0.bias"), deconv());
        up = n.gelu(n.layerNorm(up, P + "output_upscaling.1", 1, ModelConfig.LN2D_EPS, 1, e / 4, 1, 1));
        up = n.sd.cnn().deconv2d(up, n.sd.permute(n.p(P + "output_upscaling.3.weight"), 2, 3, 1, 0),
                n.p(P + "output_upscaling.3.bias"), deconv());
        up = n.gelu(up); // [B, E/8, 4g, 4g]
        long side = 4L * g;
        SDVariable upFlat = n.sd.reshape(up, -1, e / 8, side * side);

        SDVariable[] hyper = new SDVariable[maskTokens];
        for (int i = 0; i < maskTokens; i++) {
            SDVariable tok = n.sd.reshape(n.slice(hs, 3, 1, 1 + i, 2 + i), -1, e);
            SDVariable h = mlp(n, tok, P + "output_hypernetworks_mlps." + i, 3);
            hyper[i] = n.sd.reshape(h, -1, 1, e / 8);
        }
        SDVariable hyperIn = n.sd.concat(1, hyper); // [B, M, E/8]
        SDVariable masks = n.sd.reshape(n.sd.mmul(hyperIn, upFlat), -1, maskTokens, side, side);

        SDVariable iouTok = n.sd.reshape(n.slice(hs, 3, 1, 0, 1), -1, e);
        SDVariable iou = mlp(n, iouTok, P + "iou_prediction_head", c.iouHeadDepth());
        return new SDVariable[]{masks, iou};
    }

    /** SAM's MLP: Linear layers with ReLU between them. */
    private static SDVariable mlp(Net n, SDVariable x, String prefix, int depth) {
        for (int l = 0; l < depth; l++) {
            x = n.linear(x, prefix + ".layers." + l, true);
            if (l < depth - 1) {
                x = n.sd.nn().relu(x, 0.0);
            }
        }
        return x;
    }

    private static DeConv2DConfig deconv() {
        return DeConv2DConfig.builder().kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1).isSameMode(false)
                .dataFormat("NCHW").build();
    }
}

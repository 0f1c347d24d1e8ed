package org.umedsam.model.samediff;

import org.umedsam.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * LiteMedSAM's TinyViT image encoder. {@code [B, 3, S, S] -> [B, E, S/4, S/4]} (upstream:
 * {@code [B, 3, 256, 256] -> [B, 256, 64, 64]}).
 *
 * <p>Patch embedding at full resolution; stage 0: MBConv blocks then patch merging; stages 1-3:
 * TinyViT blocks, stages 1 and 2 followed by patch merging; neck: 1x1 conv, LayerNorm2d, 3x3 conv,
 * LayerNorm2d (eps 1e-6), both convs bias-free.
 */
final class ImageEncoder {
    private ImageEncoder() {
    }

    /** Graph outputs: the four stage outputs as tokens {@code [B, H*W, C]} and the embedding. */
    record Outputs(SDVariable[] stages, SDVariable embedding) {
    }

    static Outputs build(Net n, SDVariable images) {
        ModelConfig c = n.config;
        String p = "image_encoder.";
        int[] d = c.embedDims();
        SDVariable x = PatchEmbed.build(n, images, p + "patch_embed");
        int res = c.imageSize();
        for (int j = 0; j < c.depths()[0]; j++) {
            x = MBConv.build(n, x, p + "layers.0.blocks." + j, (long) res * res);
        }
        SDVariable[] stages = new SDVariable[4];
        x = PatchMerging.build(n, x, p + "layers.0.downsample", res, c.mergeStrides()[0]);
        res = PatchMerging.outputResolution(res, c.mergeStrides()[0]);
        SDVariable tokens = n.nchwToTokens(x, d[1], res, res);
        stages[0] = tokens;
        for (int i = 1; i < 4; i++) {
            for (int j = 0; j < c.depths()[i]; j++) {
                tokens = TinyVitBlock.build(n, tokens, p + "layers." + i + ".blocks." + j, d[i], c.numHeads()[i],
                        c.windowSizes()[i], res);
            }
            if (i < 3) {
                SDVariable map = n.tokensToNchw(tokens, d[i], res, res);
                map = PatchMerging.build(n, map, p + "layers." + i + ".downsample", res, c.mergeStrides()[i]);
                res = PatchMerging.outputResolution(res, c.mergeStrides()[i]);
                tokens = n.nchwToTokens(map, d[i + 1], res, res);
            }
            stages[i] = tokens;
        }
        int e = c.promptEmbedDim();
        SDVariable map = n.tokensToNchw(tokens, d[3], res, res);
        map = n.sd.cnn().conv2d(map, n.sd.permute(n.p(p + "neck.0.weight"), 2, 3, 1, 0), conv(1));
        map = n.layerNorm(map, p + "neck.1", 1, ModelConfig.LN2D_EPS, 1, e, 1, 1);
        map = n.sd.cnn().conv2d(map, n.sd.permute(n.p(p + "neck.2.weight"), 2, 3, 1, 0), conv(3));
        map = n.layerNorm(map, p + "neck.3", 1, ModelConfig.LN2D_EPS, 1, e, 1, 1);
        return new Outputs(stages, map);
    }

    private static org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig conv(int k) {
        return org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1)
                .pH(k / 2).pW(k / 2).dH(1).dW(1).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.VALID).dataFormat("NCHW").build();
    }
}

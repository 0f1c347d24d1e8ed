package org.umedsam.model.cpu;

/**
 * LiteMedSAM's patch embedding in evaluation mode: 1x1 Conv2d_BN 3 -> dim/2, GELU, 1x1 Conv2d_BN dim/2 -> dim,
 * no down-sampling. Channel-first {@code [3, S*S] -> [dim, S*S]} for one image.
 */
final class PatchEmbed {

    private final FoldedConv conv0;
    private final FoldedConv conv2;

    private final String out;

    PatchEmbed(StateDictWeights w, String prefix, int dim) {
        out = prefix + ".out";
        conv0 = FoldedConv.read(w, prefix + ".seq.0", 3, dim / 2, 1, false);
        conv2 = FoldedConv.read(w, prefix + ".seq.2", dim / 2, dim, 1, false);
    }

    float[] forward(float[] image, int pixels, Workspace ws) {
        float[] h = ws.get("patch_embed.h", conv0.outChannels() * pixels);
        conv0.pointwiseChw(image, pixels, h, true);
        float[] y = ws.get(out, conv2.outChannels() * pixels);
        conv2.pointwiseChw(h, pixels, y, false);
        return y;
    }
}

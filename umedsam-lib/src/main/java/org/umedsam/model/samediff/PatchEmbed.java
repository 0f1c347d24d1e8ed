package org.umedsam.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * LiteMedSAM's TinyViT patch embedding: 1x1 Conv2d_BN 3 -> dim/2, GELU, 1x1 Conv2d_BN dim/2 -> dim,
 * without down-sampling. {@code [B, 3, S, S] -> [B, dim, S, S]}.
 */
final class PatchEmbed {
    private PatchEmbed() {
    }

    static SDVariable build(Net n, SDVariable images, String prefix) {
        long s = (long) n.config.imageSize() * n.config.imageSize();
        SDVariable x = n.convBn(images, prefix + ".seq.0", 1, 1, false, s);
        x = n.gelu(x);
        return n.convBn(x, prefix + ".seq.2", 1, 1, false, s);
    }
}

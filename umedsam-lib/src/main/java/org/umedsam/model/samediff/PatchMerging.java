package org.umedsam.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * TinyViT patch merging: 1x1 Conv2d_BN dim -> out, GELU, 3x3 depthwise Conv2d_BN with the stage's
 * stride (LiteMedSAM: 2, 2, then 1 into the last stage), GELU, 1x1 Conv2d_BN.
 * {@code [B, dim, H, W] -> [B, out, H/s, W/s]} (NCHW; callers flatten to tokens).
 */
final class PatchMerging {
    private PatchMerging() {
    }

    static SDVariable build(Net n, SDVariable x, String prefix, int inRes, int stride) {
        long inSpatial = (long) inRes * inRes;
        int outRes = (inRes + 2 - 3) / stride + 1;
        long outSpatial = (long) outRes * outRes;
        SDVariable y = n.gelu(n.convBn(x, prefix + ".conv1", 1, 1, false, inSpatial));
        y = n.gelu(n.convBn(y, prefix + ".conv2", 3, stride, true, outSpatial));
        return n.convBn(y, prefix + ".conv3", 1, 1, false, outSpatial);
    }

    static int outputResolution(int inRes, int stride) {
        return (inRes + 2 - 3) / stride + 1;
    }
}

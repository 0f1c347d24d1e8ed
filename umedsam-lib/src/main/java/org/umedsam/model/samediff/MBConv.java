package org.umedsam.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * TinyViT inverted-residual block: 1x1 expand, GELU, 3x3 depthwise, GELU, 1x1 project, residual add,
 * GELU. {@code [B, C, H, W] -> [B, C, H, W]}.
 */
final class MBConv {
    private MBConv() {
    }

    static SDVariable build(Net n, SDVariable x, String prefix, long spatial) {
        SDVariable y = n.gelu(n.convBn(x, prefix + ".conv1", 1, 1, false, spatial));
        y = n.gelu(n.convBn(y, prefix + ".conv2", 3, 1, true, spatial));
        y = n.convBn(y, prefix + ".conv3", 1, 1, false, spatial);
        return n.gelu(y.add(x));
    }
}

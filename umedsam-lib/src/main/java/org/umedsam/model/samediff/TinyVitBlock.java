package org.umedsam.model.samediff;

import org.umedsam.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * TinyViT block on tokens {@code [B, H*W, C]}: window attention (windows zero-padded at bottom/right
 * to a multiple of the window; padded tokens take part as keys exactly as upstream), residual, 3x3
 * depthwise Conv2d_BN on the feature map, then residual MLP (LayerNorm, fc1, GELU, fc2).
 */
final class TinyVitBlock {
    private TinyVitBlock() {
    }

    static SDVariable build(Net n, SDVariable x, String prefix, int dim, int heads, int ws, int res) {
        long len = (long) res * res;
        SDVariable a;
        if (res == ws) {
            a = WindowAttention.build(n, x, prefix + ".attn", dim, heads, ws);
        } else {
            int pad = (ws - res % ws) % ws;
            int pr = res + pad;
            int nw = pr / ws;
            SDVariable g = n.sd.reshape(x, -1, res, res, dim);
            if (pad > 0) {
                SDVariable paddings = n.sd.constant("pad_" + prefix, org.nd4j.linalg.factory.Nd4j.createFromArray(
                        new int[][]{{0, 0}, {0, pad}, {0, pad}, {0, 0}}));
                g = n.sd.nn().pad(g, paddings, 0.0);
            }
            SDVariable w = n.sd.reshape(g, -1, nw, ws, nw, ws, dim);
            w = n.sd.reshape(n.sd.permute(w, 0, 1, 3, 2, 4, 5), -1, (long) ws * ws, dim);
            SDVariable o = WindowAttention.build(n, w, prefix + ".attn", dim, heads, ws);
            o = n.sd.reshape(o, -1, nw, nw, ws, ws, dim);
            o = n.sd.reshape(n.sd.permute(o, 0, 1, 3, 2, 4, 5), -1, pr, pr, dim);
            if (pad > 0) {
                o = n.sd.stridedSlice(o, new long[]{0, 0, 0, 0}, new long[]{0, res, res, dim},
                        new long[]{1, 1, 1, 1}, 1, 1, 0, 0, 0);
            }
            a = n.sd.reshape(o, -1, len, dim);
        }
        x = x.add(a);
        SDVariable map = n.tokensToNchw(x, dim, res, res);
        map = n.convBn(map, prefix + ".local_conv", 3, 1, true, len);
        x = n.nchwToTokens(map, dim, res, res);
        SDVariable h = n.layerNorm(x, prefix + ".mlp.norm", 2, ModelConfig.LN_EPS);
        long hidden = (long) dim * n.config.mlpRatio();
        h = n.linear(n.sd.reshape(h, -1, dim), prefix + ".mlp.fc1", true);
        h = n.linear(n.gelu(h), prefix + ".mlp.fc2", true);
        return x.add(n.sd.reshape(h, -1, len, dim));
    }
}

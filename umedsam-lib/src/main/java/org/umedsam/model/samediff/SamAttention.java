package org.umedsam.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * SAM's multi-head attention with optional internal down-sampling (transformer.py {@code Attention}):
 * q/k/v projections to {@code E / downsample}, heads, softmax(q k^T / sqrt(d)) v, output projection.
 * q {@code [B, Nq, E]}, k and v {@code [B, Nk, E]} -> {@code [B, Nq, E]}.
 */
final class SamAttention {
    private SamAttention() {
    }

    static SDVariable build(Net n, String prefix, SDVariable q, long nq, SDVariable k, SDVariable v, long nk,
                            int internal) {
        int e = n.config.promptEmbedDim();
        int heads = n.config.transformerHeads();
        long ch = internal / heads;
        SDVariable qh = heads(n, n.linear(n.sd.reshape(q, -1, e), prefix + ".q_proj", true), nq, heads, ch);
        SDVariable kh = heads(n, n.linear(n.sd.reshape(k, -1, e), prefix + ".k_proj", true), nk, heads, ch);
        SDVariable vh = heads(n, n.linear(n.sd.reshape(v, -1, e), prefix + ".v_proj", true), nk, heads, ch);
        SDVariable attn = n.sd.mmul(qh, kh, false, true, false).div(Math.sqrt(ch));
        attn = n.sd.nn().softmax(attn, -1);
        SDVariable o = n.sd.permute(n.sd.mmul(attn, vh), 0, 2, 1, 3); // [B, Nq, heads, ch]
        o = n.linear(n.sd.reshape(o, -1, internal), prefix + ".out_proj", true);
        return n.sd.reshape(o, -1, nq, e);
    }

    private static SDVariable heads(Net n, SDVariable x2d, long tokens, int heads, long ch) {
        return n.sd.permute(n.sd.reshape(x2d, -1, tokens, heads, ch), 0, 2, 1, 3);
    }
}

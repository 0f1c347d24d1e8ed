package org.umedsam.model.cpu;

/**
 * Backward of {@link TokenToImageAttention}, in the same folded form: with
 * {@code q = Wq t + bq}, {@code Bm[hT+t] = Wk_h^T q_ht} {@code [H*T, E]}, {@code P = softmax(scale Bm kpe^T)}
 * {@code [H*T, HW]}, {@code R = P image} {@code [H*T, E]}, {@code o_ht = Wv_h R[hT+t] + bv_h},
 * {@code out = Wo o + bo}. The image-sized products of the backward ({@code dP = dR image^T},
 * {@code dBm = dS kpe}, {@code dImage = P^T dR}, {@code dKpe = dS^T Bm}) are GEMMs with {@code H*T} on
 * the short side. {@code k_proj.bias} gets no gradient: it shifts every score of a softmax row alike.
 */
final class TokenToImageAttentionGradient {

    private final SamAttention a;
    private final String prefix;

    TokenToImageAttentionGradient(TokenToImageAttention forward, String prefix) {
        this.a = forward.attention();
        this.prefix = prefix;
    }

    /**
     * @param dout   dLoss/dout {@code [T, E]}
     * @param dImage if not null, receives (adds) dLoss/dkpe + dLoss/dimage {@code [HW, E]}: in the decoder
     *               both are the image tokens (kpe = tokens + a constant PE)
     * @return dLoss/dtokens {@code [T, E]}
     */
    float[] backward(TwoWayTransformer.Tape.TokenToImage tp, float[] dout, GradientSums g, float[] dImage) {
        int e = a.dim;
        int internal = a.internal;
        int hd = a.headDim;
        int t = tp.t();
        int hw = tp.hw();
        int rows = a.heads * t;
        float[] dO = DecoderGradientKernels.linear(a.out, prefix + ".out_proj", tp.f().o(), dout, t, g);
        float[] dwv = g.of(prefix + ".v_proj.weight", internal * e);
        float[] dbv = g.of(prefix + ".v_proj.bias", internal);
        float[] wv = a.v.weight;
        float[] r = tp.f().r();
        // stacked [dR; Bm] so that dImage += [P; dS]^T [dR; Bm] is one GEMM
        float[] dr = new float[2 * rows * e];
        for (int h = 0; h < a.heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int ro = (h * t + ti) * e;
                for (int c = 0; c < hd; c++) {
                    int ch = h * hd + c;
                    float d = dO[ti * internal + ch];
                    dbv[ch] += d;
                    int wo = ch * e;
                    for (int i = 0; i < e; i++) {
                        dwv[wo + i] += d * r[ro + i];
                        dr[ro + i] += d * wv[wo + i];
                    }
                }
            }
        }
        System.arraycopy(tp.f().bm(), 0, dr, rows * e, rows * e);
        // stacked [P; dS]
        float[] ps = new float[2 * rows * hw];
        float[] p = tp.f().p();
        System.arraycopy(p, 0, ps, 0, rows * hw);
        Gemm.multiply(dr, 0, rows, e, tp.image(), 0, hw, true, ps, rows * hw);
        float scale = a.scale;
        ChunkedParallel.parallel(rows, hw * 4, (from, to) ->
                DecoderGradientKernels.softmax(p, from * hw, ps, (rows + from) * hw, to - from, hw, scale));
        float[] dbm = new float[rows * e];
        Gemm.multiply(ps, rows * hw, false, rows, hw, tp.kpe(), 0, false, e, dbm, 0, false);
        if (dImage != null) {
            Gemm.multiply(ps, 0, true, hw, 2 * rows, dr, 0, false, e, dImage, 0, true);
        }
        float[] dwk = g.of(prefix + ".k_proj.weight", internal * e);
        float[] wk = a.k.weight;
        float[] q = tp.f().q();
        float[] dq = new float[t * internal];
        for (int h = 0; h < a.heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int bo = (h * t + ti) * e;
                for (int c = 0; c < hd; c++) {
                    int ch = h * hd + c;
                    float qv = q[ti * internal + ch];
                    int wo = ch * e;
                    float d = 0;
                    for (int i = 0; i < e; i++) {
                        dwk[wo + i] += qv * dbm[bo + i];
                        d += wk[wo + i] * dbm[bo + i];
                    }
                    dq[ti * internal + ch] = d;
                }
            }
        }
        g.of(prefix + ".k_proj.bias", internal);
        return DecoderGradientKernels.linear(a.q, prefix + ".q_proj", tp.tokens(), dq, t, g);
    }
}

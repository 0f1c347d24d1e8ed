package org.umedsam.model.cpu;

/**
 * SAM attention with the few tokens as queries and the image as keys and values
 * ({@code cross_attn_token_to_image}, {@code final_attn_token_to_image}), refactored so that no
 * projection of the {@code [HW, E]} image is ever formed.
 *
 * <p>For head {@code h} and token {@code t}, with {@code q = qProj(tokens)}:
 * {@code score[j] = q_ht . (Wk_h x_j + bk_h) = (Wk_h^T q_ht) . x_j + const}, so the scores of all
 * {@code H*T} rows are one product {@code B [H*T, E] . kpe^T} (the constant cancels in the softmax).
 * The output {@code sum_j p_j (Wv_h y_j + bv_h) = Wv_h (sum_j p_j y_j) + bv_h} (the p sum to 1), so the
 * values need only {@code R = P [H*T, HW] . y [HW, E]}. Two GEMMs with {@code H*T} (56) rows replace
 * the 128-wide key and value projections of all 4096 image tokens.
 */
final class TokenToImageAttention {

    private final SamAttention a;

    TokenToImageAttention(SamAttention a) {
        this.a = a;
    }

    /**
     * @param tokens queries before projection {@code [T, E]} (tokens + their PE)
     * @param kpe    image keys before projection {@code [HW, E]} (image tokens + PE)
     * @param image  image values before projection {@code [HW, E]}
     * @param buf    scratch arrays (the probabilities go to slot SCORES)
     * @return {@code [T, E]}
     */
    float[] forward(float[] tokens, int t, float[] kpe, float[] image, int hw, DecoderBuffers buf) {
        return forward(tokens, t, kpe, image, hw, buf.get(DecoderBuffers.Slot.SCORES, a.heads * t * hw)).out();
    }

    /**
     * The folded operands of one forward pass and its result, which the backward
     * ({@link TokenToImageAttentionGradient}) reads: {@code q [T, I]}, {@code bm [H*T, E]},
     * {@code p [H*T, HW]}, {@code r [H*T, E]}, {@code o [T, I]} (before the output projection),
     * {@code out [T, E]}.
     */
    record Folded(float[] q, float[] bm, float[] p, float[] r, float[] o, float[] out) {
    }

    /** As {@link #forward(float[], int, float[], float[], int, DecoderBuffers)}, the probabilities written to {@code p}. */
    Folded forward(float[] tokens, int t, float[] kpe, float[] image, int hw, float[] p) {
        int e = a.dim;
        int internal = a.internal;
        int hd = a.headDim;
        int rows = a.heads * t;
        float[] q = a.q.apply(tokens, t, Activation.NONE);
        // B[h*T + t, :] = sum_c q[t, h*hd + c] Wk[h*hd + c, :]
        float[] b = new float[rows * e];
        float[] wk = a.k.weight;
        for (int h = 0; h < a.heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int bo = (h * t + ti) * e;
                for (int c = 0; c < hd; c++) {
                    float qv = q[ti * internal + h * hd + c];
                    int wo = (h * hd + c) * e;
                    for (int i = 0; i < e; i++) {
                        b[bo + i] += qv * wk[wo + i];
                    }
                }
            }
        }
        Gemm.multiply(b, 0, rows, e, kpe, 0, hw, true, p, 0);
        float scale = a.scale;
        ChunkedParallel.parallel(rows, hw * 8, (from, to) -> Softmax.rows(p, from * hw, to - from, hw, scale));
        float[] r = new float[rows * e];
        Gemm.multiply(p, 0, rows, hw, image, 0, e, false, r, 0);
        // o[t, h*hd + c] = bv + Wv[h*hd + c, :] . R[h*T + t, :]
        float[] o = new float[t * internal];
        float[] wv = a.v.weight;
        for (int h = 0; h < a.heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int ro = (h * t + ti) * e;
                for (int c = 0; c < hd; c++) {
                    int ch = h * hd + c;
                    int wo = ch * e;
                    float d = 0;
                    for (int i = 0; i < e; i++) {
                        d += wv[wo + i] * r[ro + i];
                    }
                    o[ti * internal + ch] = d + a.v.bias[ch];
                }
            }
        }
        return new Folded(q, b, p, r, o, a.out.apply(o, t, Activation.NONE));
    }

    /** The attention's weights. */
    SamAttention attention() {
        return a;
    }
}

package org.umedsam.model.cpu;

/**
 * SAM attention with the image tokens as queries and the few tokens as keys and values
 * ({@code cross_attn_image_to_token}), refactored so that no projection of the {@code [HW, E]} image
 * is formed.
 *
 * <p>With {@code k = kProj(tokens + PE)}, {@code v = vProj(tokens)}: the score of image token
 * {@code x} against token {@code t} in head {@code h} is {@code (Wq_h x + bq_h) . k_ht = x . A[:, hT+t]
 * + bq_h . k_ht}, one product {@code kpe [HW, E] . A [E, H*T]}; and the projected output
 * {@code Wo (concat_h sum_t p_ht v_ht) + bo = sum_(h,t) p_ht M[hT+t, :] + bo} with
 * {@code M[hT+t, :] = Wo_h v_ht}: one product {@code P [HW, H*T] . M [H*T, E]}. This replaces the
 * query and output projections of all image tokens (two 4096x256x128 GEMMs) by two of width 56.
 */
final class ImageToTokenAttention {

    private final SamAttention a;

    ImageToTokenAttention(SamAttention a) {
        this.a = a;
    }

    /**
     * @param kpe       image queries before projection {@code [HW, E]} (image tokens + PE)
     * @param tokensPe  keys before projection {@code [T, E]} (tokens + their PE)
     * @param tokens    values before projection {@code [T, E]}
     * @param out       receives {@code [HW, E]}, without the output projection bias ({@link #outputBias})
     * @param buf       scratch arrays (the probabilities go to slot SCORES)
     */
    void forward(float[] kpe, int hw, float[] tokensPe, float[] tokens, int t, float[] out, DecoderBuffers buf) {
        forward(kpe, hw, tokensPe, tokens, t, out, buf.get(DecoderBuffers.Slot.SCORES, hw * a.heads * t));
    }

    /**
     * The folded operands and probabilities of one forward pass, which the backward
     * ({@link ImageToTokenAttentionGradient}) reads: {@code k, v [T, I]}, {@code am [E, H*T]},
     * {@code p [HW, H*T]}, {@code m [H*T, E]}.
     */
    record Folded(float[] k, float[] v, float[] am, float[] p, float[] m) {
    }

    /**
     * As {@link #forward(float[], int, float[], float[], int, float[], DecoderBuffers)}, the probabilities
     * written to {@code p} (at least {@code HW * H * T} values).
     */
    Folded forward(float[] kpe, int hw, float[] tokensPe, float[] tokens, int t, float[] out, float[] p) {
        int e = a.dim;
        int internal = a.internal;
        int hd = a.headDim;
        int heads = a.heads;
        int cols = heads * t;
        float[] k = a.k.apply(tokensPe, t, Activation.NONE);
        float[] v = a.v.apply(tokens, t, Activation.NONE);
        // A[i, h*T + t] = sum_c Wq[h*hd + c, i] k[t, h*hd + c];  bias[h*T + t] = sum_c bq[h*hd + c] k[t, h*hd + c]
        float[] am = new float[e * cols];
        float[] bias = new float[cols];
        float[] wq = a.q.weight;
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int col = h * t + ti;
                float sb = 0;
                for (int c = 0; c < hd; c++) {
                    int ch = h * hd + c;
                    float kv = k[ti * internal + ch];
                    sb += a.q.bias[ch] * kv;
                    int wo = ch * e;
                    for (int i = 0; i < e; i++) {
                        am[i * cols + col] += wq[wo + i] * kv;
                    }
                }
                bias[col] = sb;
            }
        }
        // M[h*T + t, o] = sum_c v[t, h*hd + c] Wo[o, h*hd + c]
        float[] m = new float[cols * e];
        float[] wo = a.out.weight;
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int mo = (h * t + ti) * e;
                for (int o = 0; o < e; o++) {
                    float d = 0;
                    int w0 = o * internal + h * hd;
                    for (int c = 0; c < hd; c++) {
                        d += v[ti * internal + h * hd + c] * wo[w0 + c];
                    }
                    m[mo + o] = d;
                }
            }
        }
        Gemm.multiply(kpe, 0, hw, e, am, 0, cols, false, p, 0);
        float scale = a.scale;
        ChunkedParallel.parallel(hw, cols * 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int ro = r * cols;
                for (int c = 0; c < cols; c++) {
                    p[ro + c] += bias[c];
                }
                Softmax.rows(p, ro, heads, t, scale);
            }
        });
        Gemm.multiply(p, 0, hw, cols, m, 0, e, false, out, 0);
        return new Folded(k, v, am, p, m);
    }

    /** The attention's weights. */
    SamAttention attention() {
        return a;
    }

    /** The output projection's bias {@code [E]}, which {@link #forward} leaves to the caller to add. */
    float[] outputBias() {
        return a.out.bias;
    }
}

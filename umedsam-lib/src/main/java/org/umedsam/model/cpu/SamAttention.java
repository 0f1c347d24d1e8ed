package org.umedsam.model.cpu;

/**
 * Weights of one SAM attention (transformer.py {@code Attention}): q/k/v projections from {@code E} to
 * {@code internal = E / downsample}, {@code heads} heads of width {@code internal / heads},
 * {@code softmax(q k^T / sqrt(width)) v}, output projection back to {@code E}.
 *
 * <p>{@link #tokens} computes it directly, for attention among the few prompt/output tokens; the
 * cross attentions with the image are {@link TokenToImageAttention} and {@link ImageToTokenAttention}.
 */
final class SamAttention {

    final Linear q;
    final Linear k;
    final Linear v;
    final Linear out;
    final int dim;
    final int internal;
    final int heads;
    final int headDim;
    /** {@code 1 / sqrt(headDim)}. */
    final float scale;

    SamAttention(StateDictWeights w, String prefix, int dim, int internal, int heads) {
        this.q = Linear.read(w, prefix + ".q_proj", dim, internal, true);
        this.k = Linear.read(w, prefix + ".k_proj", dim, internal, true);
        this.v = Linear.read(w, prefix + ".v_proj", dim, internal, true);
        this.out = Linear.read(w, prefix + ".out_proj", internal, dim, true);
        this.dim = dim;
        this.internal = internal;
        this.heads = heads;
        this.headDim = internal / heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * Attention of {@code nq} query tokens over {@code nk} key/value tokens, all small:
     * q {@code [nq, E]}, k and v {@code [nk, E]} -> {@code [nq, E]}.
     */
    float[] tokens(float[] qIn, int nq, float[] kIn, float[] vIn, int nk) {
        return attendTokens(qIn, nq, kIn, vIn, nk).out();
    }

    /**
     * The values of one {@link #attendTokens} pass, which the backward ({@link TokenAttentionGradient})
     * reads: projections {@code q [nq, I]}, {@code k, v [nk, I]}, probabilities {@code p [heads, nq, nk]},
     * heads' output {@code o [nq, I]} and the result {@code out [nq, E]}.
     */
    record TokenAttention(float[] q, float[] k, float[] v, float[] p, float[] o, float[] out) {
    }

    /** As {@link #tokens}, with the intermediate values. */
    TokenAttention attendTokens(float[] qIn, int nq, float[] kIn, float[] vIn, int nk) {
        float[] qp = q.apply(qIn, nq, Activation.NONE);
        float[] kp = k.apply(kIn, nk, Activation.NONE);
        float[] vp = v.apply(vIn, nk, Activation.NONE);
        float[] o = new float[nq * internal];
        float[] p = new float[heads * nq * nk];
        for (int h = 0; h < heads; h++) {
            int c0 = h * headDim;
            for (int i = 0; i < nq; i++) {
                int po = (h * nq + i) * nk;
                for (int j = 0; j < nk; j++) {
                    float d = 0;
                    for (int c = 0; c < headDim; c++) {
                        d += qp[i * internal + c0 + c] * kp[j * internal + c0 + c];
                    }
                    p[po + j] = d;
                }
                Softmax.rows(p, po, 1, nk, scale);
                for (int j = 0; j < nk; j++) {
                    float pj = p[po + j];
                    for (int c = 0; c < headDim; c++) {
                        o[i * internal + c0 + c] += pj * vp[j * internal + c0 + c];
                    }
                }
            }
        }
        return new TokenAttention(qp, kp, vp, p, o, out.apply(o, nq, Activation.NONE));
    }
}

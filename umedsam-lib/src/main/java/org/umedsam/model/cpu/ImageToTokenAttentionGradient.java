package org.umedsam.model.cpu;

/**
 * Backward of {@link ImageToTokenAttention}, in the same folded form: with
 * {@code k = Wk tp + bk}, {@code v = Wv tv + bv} {@code [T, I]}, {@code A[:, hT+t] = Wq_h^T k_ht}
 * {@code [E, H*T]}, {@code bias[hT+t] = bq_h . k_ht}, {@code P = softmax_per_head(scale (kpe A + bias))}
 * {@code [HW, H*T]}, {@code M[hT+t] = Wo_h v_ht} {@code [H*T, E]}, {@code out = P M + bo}. The backward's
 * image-sized products ({@code dP = dout M^T}, {@code dM = P^T dout}, {@code dA = kpe^T dS},
 * {@code dKpe = dS A^T}) are GEMMs with {@code H*T} on the short side.
 */
final class ImageToTokenAttentionGradient {

    private final SamAttention a;
    private final String prefix;

    ImageToTokenAttentionGradient(ImageToTokenAttention forward, String prefix) {
        this.a = forward.attention();
        this.prefix = prefix;
    }

    /**
     * @param dout dLoss/dout {@code [HW, E]} (out including the output bias)
     * @param dKpe if not null, receives (adds) dLoss/dkpe {@code [HW, E]}
     * @return {dtp, dtv} {@code [T, E]} each
     */
    float[][] backward(TwoWayTransformer.Tape.ImageToToken tp, float[] dout, GradientSums g, float[] dKpe) {
        int e = a.dim;
        int internal = a.internal;
        int hd = a.headDim;
        int heads = a.heads;
        int t = tp.t();
        int hw = tp.hw();
        int cols = heads * t;
        float[] p = tp.f().p();
        float[] dbo = g.of(prefix + ".out_proj.bias", e);
        DecoderGradientKernels.columnSums(dout, hw, e, dbo);
        float[] ds = new float[hw * cols];
        Gemm.multiply(dout, 0, false, hw, e, tp.f().m(), 0, true, cols, ds, 0, false);
        float[] dm = new float[cols * e];
        Gemm.multiply(p, 0, true, cols, hw, dout, 0, false, e, dm, 0, false);
        float scale = a.scale;
        ChunkedParallel.parallel(hw, cols * 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                DecoderGradientKernels.softmax(p, r * cols, ds, r * cols, heads, t, scale);
            }
        });
        float[] da = new float[e * cols];
        Gemm.multiply(tp.kpe(), 0, true, e, hw, ds, 0, false, cols, da, 0, false);
        float[] dbias = new float[cols];
        DecoderGradientKernels.columnSums(ds, hw, cols, dbias);
        if (dKpe != null) {
            Gemm.multiply(ds, 0, false, hw, cols, tp.f().am(), 0, true, e, dKpe, 0, true);
        }
        float[] k = tp.f().k();
        float[] v = tp.f().v();
        float[] dk = new float[t * internal];
        float[] dv = new float[t * internal];
        float[] wq = a.q.weight;
        float[] bq = a.q.bias;
        float[] wo = a.out.weight;
        float[] dwq = g.of(prefix + ".q_proj.weight", internal * e);
        float[] dbq = g.of(prefix + ".q_proj.bias", internal);
        float[] dwo = g.of(prefix + ".out_proj.weight", e * internal);
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int col = h * t + ti;
                int mo = col * e;
                for (int c = 0; c < hd; c++) {
                    int ch = h * hd + c;
                    float kv = k[ti * internal + ch];
                    float vv = v[ti * internal + ch];
                    int w0 = ch * e;
                    float dkv = bq[ch] * dbias[col];
                    dbq[ch] += dbias[col] * kv;
                    float dvv = 0;
                    for (int i = 0; i < e; i++) {
                        float d = da[i * cols + col];
                        dwq[w0 + i] += d * kv;
                        dkv += wq[w0 + i] * d;
                        float dmo = dm[mo + i];
                        dwo[i * internal + ch] += dmo * vv;
                        dvv += dmo * wo[i * internal + ch];
                    }
                    dk[ti * internal + ch] = dkv;
                    dv[ti * internal + ch] = dvv;
                }
            }
        }
        return new float[][]{
                DecoderGradientKernels.linear(a.k, prefix + ".k_proj", tp.tp(), dk, t, g),
                DecoderGradientKernels.linear(a.v, prefix + ".v_proj", tp.tv(), dv, t, g)};
    }
}

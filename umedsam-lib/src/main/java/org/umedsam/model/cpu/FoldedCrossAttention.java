package org.umedsam.model.cpu;

/**
 * The decoder's attentions for inference (one box), every product a BLAS call: the folded cross
 * attentions of {@link TokenToImageAttention} and {@link ImageToTokenAttention} (no projection of the
 * {@code [HW, E]} image is formed) and the token self-attention.
 *
 * <p>Why a second formulation: the tape path's per-head Java loops and row-at-a-time linears cost more
 * than the image products for the 7 tokens of a box (a 7 x 256 x 2048 linear ran at about 1 GMAC/s in
 * the row loop, 4-5x slower than sgemm with its weight staged), and its image-to-token softmax made one
 * call per 7 values. Here the per-head folds are one product with a block-diagonal operand: for
 * {@code x [T, I]} (H heads of width d side by side) let {@code bd(x) [H*T, I]} hold row {@code t}'s
 * head-{@code h} slice at row {@code h*T + t}, zeros elsewhere; then
 * <ul>
 *   <li>token-to-image: {@code B = bd(q Wq^T + bq) Wk [H*T, E]}, {@code P = softmax_rows(B kpe^T / sqrt(d))}
 *       ({@code [H*T, HW]}; the key bias adds a constant per row, which cancels), {@code o = } head blocks of
 *       {@code (P image) Wv^T}, {@code + bv} (the probabilities sum to 1), {@code out = o Wo^T + bo};
 *       PyTorch {@code Attention(q, k=image+pe, v=image)} (transformer.py);</li>
 *   <li>image-to-token, scores transposed: {@code k = bd(tokensPe Wk^T + bk)}, {@code S = k Wq kpe^T + k bq}
 *       ({@code [H*T, HW]}), softmax down each head's {@code T} rows (per image token),
 *       {@code M = bd(tokens Wv^T + bv) Wo^T [H*T, E]}, {@code out [HW, E] = S^T M} (bias {@code bo} left to
 *       the caller); PyTorch {@code Attention(q=image+pe, k=tokens+pe, v=tokens)}.</li>
 * </ul>
 * Numerics: float32 sgemm sums in another order than the tape path's loops (differences of a few ulp
 * relative); the block-diagonal zeros add exact zeros.
 */
final class FoldedCrossAttention {

    private FoldedCrossAttention() {
    }

    /** {@code y [rows, out] = x [rows, in] W^T + b} (PyTorch {@code Linear}) by sgemm, ReLU when asked. */
    static float[] linear(Linear l, float[] x, int rows, boolean relu) {
        float[] y = new float[rows * l.out];
        Gemm.linear(x, rows, l.in, l.weight, l.bias, l.out, y);
        if (relu) {
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.max(y[i], 0f);
            }
        }
        return y;
    }

    /** {@code bd(x)}: {@code x [T, H*hd]} to {@code [H*T, H*hd]}, row {@code h*T + t} holding head {@code h}'s slice of row {@code t}. */
    static float[] blockDiagonal(float[] x, int t, int heads, int hd) {
        int internal = heads * hd;
        float[] y = new float[heads * t * internal];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(x, ti * internal + h * hd, y, (h * t + ti) * internal + h * hd, hd);
            }
        }
        return y;
    }

    /**
     * The q, k and v projections of a self-attention stacked, {@code [3I, E]} (rows q, then k, then v): one
     * product when the three inputs are the same (the first block), else q and k ({@link #stackQk}) share one.
     */
    static Linear stackQkv(CpuAttention a) {
        return stack(a.q, a.k, a.v);
    }

    /** The q and k projections stacked, {@code [2I, E]}. */
    static Linear stackQk(CpuAttention a) {
        return stack(a.q, a.k);
    }

    private static Linear stack(Linear... ls) {
        int in = ls[0].in;
        int out = 0;
        for (Linear l : ls) {
            out += l.out;
        }
        float[] w = new float[out * in];
        float[] bias = new float[out];
        int o = 0;
        for (Linear l : ls) {
            System.arraycopy(l.weight, 0, w, o * in, l.out * in);
            System.arraycopy(l.bias, 0, bias, o, l.out);
            o += l.out;
        }
        return new Linear(w, bias, in, out);
    }

    /** Columns {@code [c0, c0 + w)} of {@code x [rows, stride]} as a new {@code [rows, w]}. */
    private static float[] columns(float[] x, int rows, int stride, int c0, int w) {
        float[] y = new float[rows * w];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * stride + c0, y, r * w, w);
        }
        return y;
    }

    /**
     * Token self-attention of a box's {@code T} tokens (transformer.py {@code Attention(q, k, v)}) with the
     * query and key inputs equal: {@code qk, v [T, E]} -> {@code [T, E]}. Projections by sgemm ({@code qkv}
     * from {@link #stackQkv} when {@code v == qk}, else {@code qkStack} from {@link #stackQk} and {@code a.v}),
     * the {@code T x T} scores per head in Java ({@link Softmax#row}).
     */
    static float[] selfAttention(CpuAttention a, Linear qkv, Linear qkStack, float[] qk, float[] v, int t) {
        int internal = a.internal;
        int hd = a.headDim;
        float[] qp;
        float[] kp;
        float[] vp;
        if (v == qk) {
            float[] y = linear(qkv, qk, t, false);
            qp = columns(y, t, 3 * internal, 0, internal);
            kp = columns(y, t, 3 * internal, internal, internal);
            vp = columns(y, t, 3 * internal, 2 * internal, internal);
        } else {
            float[] y = linear(qkStack, qk, t, false);
            qp = columns(y, t, 2 * internal, 0, internal);
            kp = columns(y, t, 2 * internal, internal, internal);
            vp = linear(a.v, v, t, false);
        }
        float[] o = new float[t * internal];
        float[] p = new float[t];
        for (int h = 0; h < a.heads; h++) {
            int c0 = h * hd;
            for (int i = 0; i < t; i++) {
                int qo = i * internal + c0;
                for (int j = 0; j < t; j++) {
                    int ko = j * internal + c0;
                    float d = 0;
                    for (int c = 0; c < hd; c++) {
                        d += qp[qo + c] * kp[ko + c];
                    }
                    p[j] = d;
                }
                Softmax.row(p, 0, t, a.scale);
                for (int j = 0; j < t; j++) {
                    float pj = p[j];
                    int vo = j * internal + c0;
                    for (int c = 0; c < hd; c++) {
                        o[qo + c] += pj * vp[vo + c];
                    }
                }
            }
        }
        return linear(a.out, o, t, false);
    }

    /**
     * Token-to-image attention of a box's tokens.
     *
     * @param tokens queries {@code [T, E]} (tokens + their PE)
     * @param kpe    keys before projection {@code [HW, E]} (image + PE)
     * @param image  values before projection {@code [HW, E]}
     * @param p      scratch for the probabilities, at least {@code H*T*HW} values
     * @return {@code [T, E]}
     */
    static float[] tokenToImage(CpuAttention a, float[] tokens, int t, float[] kpe, float[] image, int hw, float[] p) {
        int e = a.dim;
        int internal = a.internal;
        int hd = a.headDim;
        int heads = a.heads;
        int rows = heads * t;
        float[] qbd = blockDiagonal(linear(a.q, tokens, t, false), t, heads, hd);
        float[] bm = new float[rows * e];
        Gemm.multiply(qbd, 0, rows, internal, a.k.weight, 0, e, false, bm, 0);
        Gemm.multiply(bm, 0, rows, e, kpe, 0, hw, true, p, 0);
        float scale = a.scale;
        ChunkedParallel.parallel(rows, hw * 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                Softmax.wideRow(p, r * hw, hw, scale);
            }
        });
        float[] r = new float[rows * e];
        Gemm.multiply(p, 0, rows, hw, image, 0, e, false, r, 0);
        // every head's rows times all of Wv: keep each row's own head block, add bv
        float[] full = new float[rows * internal];
        Gemm.multiply(r, 0, rows, e, a.v.weight, 0, internal, true, full, 0);
        float[] o = new float[t * internal];
        float[] bv = a.v.bias;
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                int src = (h * t + ti) * internal + h * hd;
                int dst = ti * internal + h * hd;
                for (int c = 0; c < hd; c++) {
                    o[dst + c] = full[src + c] + bv[h * hd + c];
                }
            }
        }
        return linear(a.out, o, t, false);
    }

    /**
     * The first half of image-to-token attention: probabilities {@code S [H*T, HW]} into {@code s} (in each
     * head's block of {@code T} rows every column sums to 1) and the folded values {@code M [H*T, E]},
     * returned; {@link #imageToTokenOutput} finishes it.
     *
     * @param tokensPe keys before projection {@code [T, E]} (tokens + their PE)
     * @param tokens   values before projection {@code [T, E]}
     * @param kpe      image queries before projection {@code [HW, E]} (image + PE)
     */
    static float[] imageToTokenScores(CpuAttention a, float[] tokensPe, float[] tokens, int t, float[] kpe,
                                      int hw, float[] s) {
        int e = a.dim;
        int internal = a.internal;
        int hd = a.headDim;
        int heads = a.heads;
        int rows = heads * t;
        float[] kbd = blockDiagonal(linear(a.k, tokensPe, t, false), t, heads, hd);
        float[] at = new float[rows * e];
        Gemm.multiply(kbd, 0, rows, internal, a.q.weight, 0, e, false, at, 0);
        // the query bias's share of each score: bq_h . k_(b,t,h), constant along the row
        float[] bias = new float[rows];
        float[] bq = a.q.bias;
        for (int row = 0; row < rows; row++) {
            float d = 0;
            for (int c = 0; c < internal; c++) {
                d += bq[c] * kbd[row * internal + c];
            }
            bias[row] = d;
        }
        Gemm.multiply(at, 0, rows, e, kpe, 0, hw, true, s, 0);
        float scale = a.scale;
        ChunkedParallel.parallel(hw, rows * 12, (from, to) -> {
            float[] tmp = new float[to - from];
            for (int r = 0; r < rows; r++) {
                int o = r * hw;
                float br = bias[r];
                for (int j = from; j < to; j++) {
                    s[o + j] += br;
                }
            }
            for (int g = 0; g < heads; g++) {
                Softmax.columns(s, g * t * hw, t, hw, from, to, scale, tmp);
            }
        });
        float[] m = new float[rows * e];
        Gemm.multiply(blockDiagonal(linear(a.v, tokens, t, false), t, heads, hd), 0, rows, internal,
                a.out.weight, 0, e, true, m, 0);
        return m;
    }

    /**
     * The image-to-token output {@code out [HW, E] = S^T M}, without the output bias.
     *
     * @param s from {@link #imageToTokenScores}, {@code [H*T, HW]}
     * @param m from {@link #imageToTokenScores}, {@code [H*T, E]}
     */
    static void imageToTokenOutput(CpuAttention a, float[] s, float[] m, int t, int hw, float[] out) {
        Gemm.multiply(s, 0, true, hw, a.heads * t, m, 0, false, a.dim, out, 0, false);
    }
}

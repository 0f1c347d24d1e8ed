package org.umedsam.model.cpu;

/**
 * Token-side kernels of the decoder's inference schedule ({@link TwoWayTransformerInference}): the
 * self-attention among a box's tokens with stacked projections, and the per-head weight products the
 * folded cross attentions ({@link TokenToImageInference}, {@link ImageToTokenInference}) precompute.
 *
 * <p>Token products go through sgemm with resident weights ({@link ResidentLinear}): the row loop of
 * {@link Linear} ran a 7 x 256 x 2048 linear at about 1 GMAC/s, 4-5x slower than sgemm even with the weight
 * staged per call (measured side by side). Numerics: float32 sgemm sums in another order than the tape
 * path's loops (differences of a few ulp relative).
 */
final class TokenAttentionOps {

    private TokenAttentionOps() {
    }

    /**
     * The q, k and v projections of a self-attention stacked, {@code [3I, E]} (rows q, then k, then v): one
     * product when the three inputs are the same (the first block), else q and k ({@link #stackQk}) share one.
     */
    static ResidentLinear stackQkv(SamAttention a) {
        return ResidentLinear.of(stack(a.q, a.k, a.v));
    }

    /** The q and k projections stacked, {@code [2I, E]}. */
    static ResidentLinear stackQk(SamAttention a) {
        return ResidentLinear.of(stack(a.q, a.k));
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
     * query and key inputs equal: {@code qk, v [T, E]} -> {@code [T, E]}. Projections by sgemm: {@code fused}
     * from {@link #stackQkv} when {@code vProj} is null ({@code v} is then {@code qk}), else from
     * {@link #stackQk} with {@code vProj} for the values; the {@code T x T} scores per head in Java
     * ({@link Softmax#row}).
     */
    static float[] selfAttention(SamAttention a, ResidentLinear fused, ResidentLinear vProj, ResidentLinear outProj,
                                 float[] qk, float[] v, int t) {
        int internal = a.internal;
        int hd = a.headDim;
        float[] qp;
        float[] kp;
        float[] vp;
        if (vProj == null) {
            float[] y = fused.apply(qk, t, false);
            qp = columns(y, t, 3 * internal, 0, internal);
            kp = columns(y, t, 3 * internal, internal, internal);
            vp = columns(y, t, 3 * internal, 2 * internal, internal);
        } else {
            float[] y = fused.apply(qk, t, false);
            qp = columns(y, t, 2 * internal, 0, internal);
            kp = columns(y, t, 2 * internal, internal, internal);
            vp = vProj.apply(v, t, false);
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
        return outProj.apply(o, t, false);
    }

    /**
     * Per head {@code h}: {@code W1_h^T W2_h [E, E]}, where {@code W1_h} and {@code W2_h} are rows
     * {@code [h*d, (h+1)*d)} of {@code w1, w2 [I, E]} (a projection pair of one head, multiplied out).
     */
    static float[][] headProducts(float[] w1, float[] w2, int heads, int hd, int e) {
        float[][] r = new float[heads][e * e];
        for (int h = 0; h < heads; h++) {
            Gemm.multiply(w1, h * hd * e, true, e, hd, w2, h * hd * e, false, e, r[h], 0, false);
        }
        return r;
    }

    /**
     * The head products of {@code w1, w2 [I, E]} side by side as one resident linear {@code [E, H*E]}: column
     * block {@code h} is {@code W1_h^T W2_h} ({@link #headProducts}) and its bias {@code b1_h W2_h}
     * ({@link #headBias}), so that one sgemm of {@code x [T, E]} gives every head's {@code (x W1_h^T + b1_h) W2_h}.
     */
    static ResidentLinear headColumns(float[] w1, float[] b1, float[] w2, int heads, int hd, int e) {
        float[][] products = headProducts(w1, w2, heads, hd, e);
        float[] w = new float[e * heads * e];
        float[] bias = new float[heads * e];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < e; i++) {
                System.arraycopy(products[h], i * e, w, i * heads * e + h * e, e);
            }
            headBias(b1, w2, h, hd, e, bias, h * e);
        }
        return new ResidentLinear(w, e, heads * e, false, bias);
    }

    /** The output projection's weight transposed, {@code Wo^T [I, E]} (rows per head, as {@link #headProducts} wants). */
    static float[] outTransposed(SamAttention a) {
        return transpose(a.out.weight, a.dim, a.internal);
    }

    /** {@code w [rows, cols]} transposed, {@code [cols, rows]}. */
    static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }

    /** {@code sum_c b[h*d + c] w[h*d + c, j]} for head {@code h}: a bias pushed through one head's rows of {@code w [I, E]}, into {@code out[off, off + E)}. */
    static void headBias(float[] b, float[] w, int h, int hd, int e, float[] out, int off) {
        for (int c = 0; c < hd; c++) {
            float bc = b[h * hd + c];
            int wo = (h * hd + c) * e;
            for (int j = 0; j < e; j++) {
                out[off + j] += bc * w[wo + j];
            }
        }
    }
}

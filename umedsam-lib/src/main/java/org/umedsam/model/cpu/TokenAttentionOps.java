package org.umedsam.model.cpu;

/**
 * Token-side kernels of the decoder's inference schedule ({@link TwoWayTransformerInference}): the
 * self-attention among a box's tokens with stacked projections, and a weight transpose.
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
}

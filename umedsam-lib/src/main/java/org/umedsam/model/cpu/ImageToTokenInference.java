package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Image-to-token attention for inference ({@code cross_attn_image_to_token}: transformer.py
 * {@code Attention(q=image+pe, k=tokens+pe, v=tokens)}), one box, no projection of the {@code [HW, E]} image
 * formed, with the per-head weight products multiplied out once per model.
 *
 * <p>Head {@code h}'s score of image token {@code y} against token {@code t} is
 * {@code (Wq_h y + bq_h) . (Wk_h x_t + bk_h) = y . A[h*T + t, :] + c[h*T + t]} with
 * {@code A[h*T + t, :] = x_t K_h + k_h}, {@code K_h = Wk_h^T Wq_h [E, E]}, {@code k_h = bk_h Wq_h}, and
 * {@code c[h*T + t] = x_t . u_h + bq_h . bk_h}, {@code u_h = Wk_h^T bq_h}: one product of the tokens with
 * {@code [K_0 u_0 .. K_(H-1) u_(H-1)] [E, H*(E+1)]}. The scores are kept transposed,
 * {@code S = A kpe^T + c [H*T, HW]}, so the softmax over each head's {@code T} tokens runs down columns
 * ({@link Softmax#columnsVector}) rather than once per 7 values. The output is
 * {@code out [HW, E] = S^T M + bo} with {@code M[h*T + t, :] = x_t V_h + v_h}, {@code V_h = Wv_h^T Wo_h^T},
 * {@code v_h = bv_h Wo_h^T}: one product for {@code M}, one with the image. Three sgemm calls with the
 * tokens, two with the image.
 *
 * <p>Numerics: float32; multiplying the weight pairs out first rounds differently from projecting then
 * multiplying (a few ulp relative). Memory: about {@code 2 H E^2} floats (4 MB for LiteMedSAM), off-heap
 * ({@link ResidentLinear}).
 */
final class ImageToTokenInference {

    private final SamAttention a;
    /** {@code [E, H*(E+1)]} (column block {@code h} is {@code [K_h u_h]}), bias {@code [k_h, bq_h . bk_h]} per head. */
    private final ResidentLinear k;
    /** {@code [E, H*E]} (column block {@code h} is {@code V_h}), bias {@code v_h} per head. */
    private final ResidentLinear v;

    ImageToTokenInference(SamAttention a) {
        this.a = a;
        this.k = keys(a);
        this.v = TokenAttentionOps.headColumns(a.v.weight, a.v.bias, TokenAttentionOps.outTransposed(a), a.heads,
                a.headDim, a.dim);
    }

    /** {@code [K_0 u_0 .. K_(H-1) u_(H-1)] [E, H*(E+1)]} with bias {@code [k_h, bq_h . bk_h]} per head. */
    private static ResidentLinear keys(SamAttention a) {
        int e = a.dim;
        int heads = a.heads;
        int hd = a.headDim;
        int kw = heads * (e + 1);
        float[][] kh = TokenAttentionOps.headProducts(a.k.weight, a.q.weight, heads, hd, e);
        float[] k = new float[e * kw];
        float[] kBias = new float[kw];
        for (int h = 0; h < heads; h++) {
            int c0 = h * (e + 1);
            for (int i = 0; i < e; i++) {
                System.arraycopy(kh[h], i * e, k, i * kw + c0, e);
            }
            TokenAttentionOps.headBias(a.k.bias, a.q.weight, h, hd, e, kBias, c0);
            float cb = 0;
            for (int c = 0; c < hd; c++) {
                int ch = h * hd + c;
                cb += a.q.bias[ch] * a.k.bias[ch];
                float bq = a.q.bias[ch];
                for (int i = 0; i < e; i++) {
                    k[i * kw + c0 + e] += bq * a.k.weight[ch * e + i];
                }
            }
            kBias[c0 + e] = cb;
        }
        return new ResidentLinear(k, e, kw, false, kBias);
    }

    SamAttention attention() {
        return a;
    }

    /**
     * The probabilities {@code S [H*T, HW]} into {@code s} (in each head's block of {@code T} rows every column
     * sums to 1) and transposed into {@code buf}'s SCORES_T slot and {@code M [H*T, E]}, returned; {@link #output(float[], float[], int, int, int, NativeFloats,
     * DecoderBuffers)} finishes the attention.
     *
     * @param tokensPe keys before projection {@code [T, E]} (tokens + their PE)
     * @param tokens   values before projection {@code [T, E]}
     * @param kpe      queries before projection {@code [HW, E]} (image + PE), off-heap
     * @param buf      staging buffers (STAGE_A, STAGE_C)
     */
    float[] scores(float[] tokensPe, float[] tokens, int t, INDArray kpe, int hw, float[] s, DecoderBuffers buf) {
        int e = a.dim;
        int heads = a.heads;
        int rows = heads * t;
        int kw = heads * (e + 1);
        float[] y = k.apply(tokensPe, t, false);
        float[] at = new float[rows * e];
        float[] bias = new float[rows];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(y, ti * kw + h * (e + 1), at, (h * t + ti) * e, e);
                bias[h * t + ti] = y[ti * kw + h * (e + 1) + e];
            }
        }
        NativeFloats sc = buf.get(DecoderBuffers.Native.STAGE_C, (long) rows * hw);
        Nd4j.gemm(buf.get(DecoderBuffers.Native.STAGE_A, (long) rows * e).stage(at, rows, e), kpe, sc.matrix(rows, hw),
                false, true, 1.0, 0.0);
        sc.get(0, s, 0, rows * hw);
        columnSoftmax(s, bias, heads, t, hw, a.scale, buf.get(DecoderBuffers.Slot.SCORES_T, rows * hw));
        float[] yv = v.apply(tokens, t, false);
        float[] m = new float[rows * e];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(yv, ti * heads * e + h * e, m, (h * t + ti) * e, e);
            }
        }
        return m;
    }

    /**
     * {@code s [H*T, HW] += bias} per row (when {@code bias} is not null), then the softmax of
     * {@code scale * s} down each column of every head's block of {@code T} rows, also written transposed to
     * {@code sT [HW, H*T]} (the layout the output product runs fastest with: sgemm took about a third longer
     * with the transposed operand, measured; the transpose here is a pass over cache-resident columns).
     */
    static void columnSoftmax(float[] s, float[] bias, int heads, int t, int hw, float scale, float[] sT) {
        int rows = heads * t;
        ChunkedParallel.parallel(hw, rows * 12, (from, to) -> {
            float[] tmp = new float[to - from];
            float[] row = new float[to - from];
            if (bias != null) {
                for (int r = 0; r < rows; r++) {
                    int o = r * hw;
                    float br = bias[r];
                    for (int j = from; j < to; j++) {
                        s[o + j] += br;
                    }
                }
            }
            for (int h = 0; h < heads; h++) {
                Softmax.columnsVector(s, h * t * hw, t, hw, from, to, scale, tmp, row);
            }
            for (int j0 = from; j0 < to; j0 += TILE) {
                int j1 = Math.min(to, j0 + TILE);
                for (int r = 0; r < rows; r++) {
                    int o = r * hw;
                    for (int j = j0; j < j1; j++) {
                        sT[j * rows + r] = s[o + j];
                    }
                }
            }
        });
    }

    /** Columns per tile of the transpose in {@link #columnSoftmax}: its rows of {@code sT} stay in L1. */
    private static final int TILE = 64;

    /**
     * {@code out [HW, E] = S^T M} for {@code S^T [HW, rows]} (the probabilities transposed, as
     * {@link #columnSoftmax} writes them), {@code M [rows, E]}, without the output bias, into the off-heap
     * {@code out}.
     *
     * @param buf staging buffers (STAGE_A, STAGE_B)
     */
    static void output(float[] sT, float[] m, int rows, int hw, int e, NativeFloats out, DecoderBuffers buf) {
        INDArray sm = buf.get(DecoderBuffers.Native.STAGE_A, (long) rows * hw).stage(sT, hw, rows);
        INDArray mm = buf.get(DecoderBuffers.Native.STAGE_B, (long) rows * e).stage(m, rows, e);
        Nd4j.gemm(sm, mm, out.ensure((long) hw * e).matrix(hw, e), false, false, 1.0, 0.0);
    }

}

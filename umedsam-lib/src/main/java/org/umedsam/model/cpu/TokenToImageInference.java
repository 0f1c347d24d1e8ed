package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token-to-image attention for inference ({@code cross_attn_token_to_image}, {@code final_attn_token_to_image}:
 * transformer.py {@code Attention(q=tokens+pe, k=image+pe, v=image)}), one box, no projection of the
 * {@code [HW, E]} image formed, with the per-head weight products multiplied out once per model.
 *
 * <p>Head {@code h}'s scores for token {@code t} are {@code (Wq_h x_t + bq_h) . (Wk_h y + bk_h)}; the key bias
 * adds a constant per row, which the softmax cancels, so the score rows are
 * {@code B[h*T + t, :] = x_t G_h + g_h} with {@code G_h = Wq_h^T Wk_h [E, E]}, {@code g_h = bq_h Wk_h}: one
 * product {@code tokens [T, E] . [G_0 .. G_(H-1)] [E, H*E]}. Then {@code P = softmax_rows(B kpe^T / sqrt(d))}
 * ({@code [H*T, HW]}) and {@code R = P image [H*T, E]}. The probabilities sum to 1, so the value bias passes
 * through: {@code out_t = sum_h R[h*T + t, :] F_h + (bv Wo^T + bo)} with {@code F_h = Wv_h^T Wo_h^T [E, E]}: one
 * product {@code [T, H*E] . [F_0; ..; F_(H-1)] [H*E, E]}. Four sgemm calls in all (two with the image), where
 * the tape path ({@link TokenToImageAttention}) has per-head Java loops around its two image products.
 *
 * <p>Numerics: float32 throughout; multiplying the weight pairs out first rounds differently from
 * projecting then multiplying (a few ulp relative). Memory: {@code 2 H E^2} floats per attention (4 MB for
 * LiteMedSAM), off-heap ({@link ResidentLinear}).
 */
final class TokenToImageInference {

    private final SamAttention a;
    /** {@code [E, H*E]} (column block {@code h} is {@code G_h}) and bias {@code g_h} at {@code h*E}. */
    private final ResidentLinear g;
    /** {@code [H*E, E]} (row block {@code h} is {@code F_h}) and bias {@code bv Wo^T + bo}. */
    private final ResidentLinear f;

    TokenToImageInference(SamAttention a) {
        this.a = a;
        this.g = TokenAttentionOps.headColumns(a.q.weight, a.q.bias, a.k.weight, a.heads, a.headDim, a.dim);
        this.f = rowBlocks(a);
    }

    /** {@code [F_0; ..; F_(H-1)] [H*E, E]}, {@code F_h = Wv_h^T Wo_h^T}, with bias {@code bv Wo^T + bo}. */
    private static ResidentLinear rowBlocks(SamAttention a) {
        int e = a.dim;
        int heads = a.heads;
        int hd = a.headDim;
        float[] woT = TokenAttentionOps.outTransposed(a);
        float[][] fh = TokenAttentionOps.headProducts(a.v.weight, woT, heads, hd, e);
        float[] f = new float[heads * e * e];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(fh[h], 0, f, h * e * e, e * e);
        }
        float[] fBias = a.out.bias.clone();
        for (int h = 0; h < heads; h++) {
            TokenAttentionOps.headBias(a.v.bias, woT, h, hd, e, fBias, 0);
        }
        return new ResidentLinear(f, heads * e, e, false, fBias);
    }

    SamAttention attention() {
        return a;
    }

    /**
     * @param tokens queries before projection {@code [T, E]} (tokens + their PE)
     * @param kpe    keys before projection {@code [HW, E]} (image + PE), off-heap
     * @param image  values before projection {@code [HW, E]}, off-heap
     * @param p      scratch for the probabilities, at least {@code H*T*HW} values
     * @param buf    staging buffers (STAGE_A, STAGE_C)
     * @return {@code [T, E]}
     */
    float[] forward(float[] tokens, int t, INDArray kpe, INDArray image, int hw, float[] p, DecoderBuffers buf) {
        int e = a.dim;
        int heads = a.heads;
        int rows = heads * t;
        float[] y = g.apply(tokens, t, false);
        float[] b = new float[rows * e];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(y, ti * heads * e + h * e, b, (h * t + ti) * e, e);
            }
        }
        NativeFloats sa = buf.get(DecoderBuffers.Native.STAGE_A, (long) rows * hw);
        NativeFloats sc = buf.get(DecoderBuffers.Native.STAGE_C, (long) rows * hw);
        Nd4j.gemm(sa.stage(b, rows, e), kpe, sc.matrix(rows, hw), false, true, 1.0, 0.0);
        sc.get(0, p, 0, rows * hw);
        float scale = a.scale;
        ChunkedParallel.parallel(rows, hw * 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                Softmax.wideRowVector(p, r * hw, hw, scale);
            }
        });
        Nd4j.gemm(sa.stage(p, rows, hw), image, sc.matrix(rows, e), false, false, 1.0, 0.0);
        float[] r = new float[rows * e];
        sc.get(0, r, 0, rows * e);
        float[] z = new float[t * heads * e];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(r, (h * t + ti) * e, z, ti * heads * e + h * e, e);
            }
        }
        return f.apply(z, t, false);
    }
}

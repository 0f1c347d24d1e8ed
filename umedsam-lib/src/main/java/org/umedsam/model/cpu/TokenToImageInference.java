package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token-to-image attention for inference ({@code cross_attn_token_to_image}, {@code final_attn_token_to_image}:
 * transformer.py {@code Attention(q=tokens+pe, k=image+pe, v=image)}), one box, without projecting the
 * {@code [HW, E]} image: the key and value projections move to the token side.
 *
 * <p>Head {@code h}'s scores for token {@code t} are {@code q_(t,h) . (Wk_h y + bk_h)} with
 * {@code q = x Wq^T + bq [T, I]}; the key bias adds a constant per row, which the softmax cancels, so the score
 * rows are {@code B[h*T + t, :] = q_(t,h) Wk_h}: with the projected tokens spread block-diagonally
 * ({@link FirstBlockInference#blockDiagonal}, {@code D [H*T, I]}), {@code B = D Wk [H*T, E]}. Then
 * {@code P = softmax_rows(B kpe^T / sqrt(d))} ({@code [H*T, HW]}) and {@code R = P image [H*T, E]}. The
 * probabilities sum to 1, so head {@code h}'s output is {@code R[h*T + t, :] Wv_h^T + bv_h}: the diagonal
 * blocks of {@code R Wv^T [H*T, I]}, then the output projection. Two products with the image, four small
 * ones with the tokens, whose weights ({@code [I, E]} each, 128 KB for LiteMedSAM) stay in cache, where
 * products with the weight pairs multiplied out ({@code [E, H*E]}, 2 MB) streamed them from memory per box.
 *
 * <p>Numerics: float32, the tape path's operations ({@link TokenToImageAttention}) in another order (a few ulp
 * relative). Memory: the four projections off-heap ({@link ResidentLinear}).
 */
final class TokenToImageInference {

    private final SamAttention a;
    /** {@code q = x Wq^T + bq}. */
    private final ResidentLinear query;
    /** {@code D Wk}: {@code [I, E]}, no bias. */
    private final ResidentLinear keyRows;
    /** {@code R Wv^T}: {@code [E, I]}, no bias (added to the diagonal blocks). */
    private final ResidentLinear valueRows;
    /** The output projection, with bias. */
    private final ResidentLinear out;

    TokenToImageInference(SamAttention a) {
        this.a = a;
        this.query = ResidentLinear.of(a.q);
        this.keyRows = new ResidentLinear(a.k.weight, a.internal, a.dim, false, null);
        this.valueRows = new ResidentLinear(a.v.weight, a.dim, a.internal, true, null);
        this.out = ResidentLinear.of(a.out);
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
        int rows = a.heads * t;
        float[] q = query.apply(tokens, t, false);
        float[] b = keyRows.apply(FirstBlockInference.blockDiagonal(q, t, a.heads, a.headDim), rows, false);
        float[] r = attend(b, rows, e, kpe, image, e, hw, a.scale, p, buf);
        return headOutputs(valueRows.apply(r, rows, false), t, a, out);
    }

    /**
     * The image side of a token-to-image attention, shared with {@link FirstBlockInference}: the probabilities
     * {@code P = softmax_rows(scale * left keys^T)} into {@code p [rows, HW]}, and {@code P values}, returned.
     *
     * @param left   score rows before the image side {@code [rows, width]}
     * @param keys   {@code [HW, width]}, off-heap
     * @param values {@code [HW, valueWidth]}, off-heap
     * @param buf    staging buffers (STAGE_A, STAGE_C)
     * @return {@code [rows, valueWidth]}
     */
    static float[] attend(float[] left, int rows, int width, INDArray keys, INDArray values, int valueWidth, int hw,
                          float scale, float[] p, DecoderBuffers buf) {
        NativeFloats sa = buf.get(DecoderBuffers.Native.STAGE_A, (long) rows * hw);
        NativeFloats sc = buf.get(DecoderBuffers.Native.STAGE_C, (long) rows * hw);
        sa.stage(left, rows, width);
        int threads = RowParallelGemm.threads();
        if (RowParallelGemm.splitsFewRows(rows, width, hw, threads)
                && RowParallelGemm.splitsFewRows(rows, hw, valueWidth, threads)) {
            return attendByRowBlocks(sa, rows, width, keys, values, valueWidth, hw, scale, p, buf, threads);
        }
        RowParallelGemm.multiplyFewRows(sa, rows, width, keys, true, hw, sc);
        sc.get(0, p, 0, rows * hw);
        ChunkedParallel.parallel(rows, hw * 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                Softmax.wideRowVector(p, r * hw, hw, scale);
            }
        });
        sa.stage(p, rows, hw);
        RowParallelGemm.multiplyFewRows(sa, rows, hw, values, false, valueWidth, sc);
        float[] r = new float[rows * valueWidth];
        sc.get(0, r, 0, rows * valueWidth);
        return r;
    }

    /**
     * {@link #attend} as one fork instead of three: each thread takes the block of score rows that
     * {@link RowParallelGemm#multiplyFewRows} would give it in both products and runs its scores, their softmax and
     * its rows of {@code P values}. Rows do not mix in any of the three steps, so the results are the three-fork
     * schedule's bits (checked on LiteMedSAM's logits and IoU, 3 boxes, single and multimask). Why: on the 2-core VM
     * of 2026-12-06 a fork costs tens of microseconds back to back and, after idle time, runs short halves one after
     * the other (docs/speed-history.md); the read-back of the scores and the staging of the probabilities also run
     * on both threads here. A 1-box decode took 18.74 against 19.09 ms back to back and 31.47 against 33.19 ms after
     * 50 ms idle (one JVM, the two forms alternating in blocks of 10, 1,020 and 250 decodes each).
     *
     * @param sa {@code left}, staged
     */
    private static float[] attendByRowBlocks(NativeFloats sa, int rows, int width, INDArray keys, INDArray values,
                                             int valueWidth, int hw, float scale, float[] p, DecoderBuffers buf,
                                             int threads) {
        NativeFloats scores = buf.get(DecoderBuffers.Native.STAGE_C, (long) rows * hw);
        NativeFloats probabilities = buf.get(DecoderBuffers.Native.STAGE_B, (long) rows * hw);
        NativeFloats out = buf.get(DecoderBuffers.Native.STAGE_D, (long) rows * valueWidth);
        RowParallelGemm.forEachBlock(rows, threads, (r0, r1) -> {
            RowParallelGemm.multiplyRows(sa, r0, r1, width, keys, true, hw, scores, 0.0);
            scores.get(r0 * hw, p, r0 * hw, (r1 - r0) * hw);
            for (int r = r0; r < r1; r++) {
                Softmax.wideRowVector(p, r * hw, hw, scale);
            }
            probabilities.put(r0 * hw, p, r0 * hw, (r1 - r0) * hw);
            RowParallelGemm.multiplyRows(probabilities, r0, r1, hw, values, false, valueWidth, out, 0.0);
        });
        float[] r = new float[rows * valueWidth];
        out.get(0, r, 0, rows * valueWidth);
        return r;
    }

    /**
     * Every head's output from its projected values {@code v [H*T, I]} (row {@code h*T + t} read in head
     * {@code h}'s columns, {@link FirstBlockInference#diagonalBlocks}), plus the value bias, through the output
     * projection {@code out}: {@code [T, E]}.
     */
    static float[] headOutputs(float[] v, int t, SamAttention a, ResidentLinear out) {
        float[] o = FirstBlockInference.diagonalBlocks(v, t, a.heads, a.headDim);
        float[] bv = a.v.bias;
        int in = a.internal;
        for (int ti = 0; ti < t; ti++) {
            for (int c = 0; c < in; c++) {
                o[ti * in + c] += bv[c];
            }
        }
        return out.apply(o, t, false);
    }
}

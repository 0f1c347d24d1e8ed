package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Image-to-token attention for inference ({@code cross_attn_image_to_token}: transformer.py
 * {@code Attention(q=image+pe, k=tokens+pe, v=tokens)}), one box, without projecting the {@code [HW, E]}
 * image: the query and output projections move to the token side.
 *
 * <p>Head {@code h}'s score of image token {@code y} against token {@code t} is
 * {@code (Wq_h y + bq_h) . k_(t,h) = y . A[h*T + t, :] + c[h*T + t]} with {@code k = x Wk^T + bk [T, I]},
 * {@code A[h*T + t, :] = k_(t,h) Wq_h} and {@code c[h*T + t] = k_(t,h) . bq_h}: with the projected tokens spread
 * block-diagonally ({@link FirstBlockInference#blockDiagonal}, {@code D [H*T, I]}), {@code A = D Wq}. The
 * scores are kept transposed, {@code S = A kpe^T + c [H*T, HW]}, so the softmax over each head's {@code T}
 * tokens runs down columns ({@link Softmax#columnsVector}) rather than once per 7 values. The output is
 * {@code out [HW, E] = S^T M + bo} with {@code M = D' Wo^T [H*T, E]}, {@code D'} the block-diagonal spread of
 * the projected values {@code x Wv^T + bv}. Two products with the image, four small ones with the tokens,
 * whose weights ({@code [I, E]}, 128 KB each for LiteMedSAM) stay in cache, where products with the weight
 * pairs multiplied out ({@code [E, H*E]}, 2 MB) streamed them from memory per box.
 *
 * <p>Numerics: float32, the tape path's operations ({@link ImageToTokenAttention}) in another order (a few
 * ulp relative). Memory: the four projections off-heap ({@link ResidentLinear}).
 */
final class ImageToTokenInference {

    private final SamAttention a;
    /** {@code k = x Wk^T + bk}. */
    private final ResidentLinear key;
    /** {@code v = x Wv^T + bv}. */
    private final ResidentLinear value;
    /** {@code D Wq}: {@code [I, E]}, no bias. */
    private final ResidentLinear queryRows;
    /** {@code D' Wo^T}: {@code [I, E]}, no bias (the caller adds it to the output). */
    private final ResidentLinear outRows;

    ImageToTokenInference(SamAttention a) {
        this.a = a;
        this.key = ResidentLinear.of(a.k);
        this.value = ResidentLinear.of(a.v);
        this.queryRows = new ResidentLinear(a.q.weight, a.internal, a.dim, false, null);
        this.outRows = new ResidentLinear(a.out.weight, a.internal, a.dim, true, null);
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
        int hd = a.headDim;
        int rows = heads * t;
        float[] k = key.apply(tokensPe, t, false);
        float[] at = queryRows.apply(FirstBlockInference.blockDiagonal(k, t, heads, hd), rows, false);
        probabilities(at, e, kpe, queryBiasScores(k, a.q.bias, t, heads, hd), a, t, hw, s, buf);
        return outRows.apply(FirstBlockInference.blockDiagonal(value.apply(tokens, t, false), t, heads, hd), rows, false);
    }

    /**
     * The image side of an image-to-token attention's scores, shared with {@link FirstBlockInference}:
     * {@code S = left queries^T + bias [H*T, HW]} into {@code s}, then {@link #columnSoftmax} (into {@code s} and
     * {@code buf}'s SCORES_T slot).
     *
     * @param left    score rows before the image side {@code [H*T, width]}
     * @param queries {@code [HW, width]}, off-heap
     * @param bias    per score row {@code [H*T]}
     * @param buf     staging buffers (STAGE_A, STAGE_C)
     */
    static void probabilities(float[] left, int width, INDArray queries, float[] bias, SamAttention a, int t, int hw,
                              float[] s, DecoderBuffers buf) {
        int rows = a.heads * t;
        NativeFloats sc = buf.get(DecoderBuffers.Native.STAGE_C, (long) rows * hw);
        NativeFloats sa = buf.get(DecoderBuffers.Native.STAGE_A, (long) rows * width);
        sa.stage(left, rows, width);
        RowParallelGemm.multiplyFewRows(sa, rows, width, queries, true, hw, sc);
        sc.get(0, s, 0, rows * hw);
        columnSoftmax(s, bias, a.heads, t, hw, a.scale, buf.get(DecoderBuffers.Slot.SCORES_T, rows * hw));
    }

    /**
     * The query bias's part of the scores, {@code c[h*T + t] = k_(t,h) . bq_h}, for projected keys
     * {@code k [T, H*d]}: {@code [H*T]}.
     */
    static float[] queryBiasScores(float[] k, float[] bq, int t, int heads, int hd) {
        int in = heads * hd;
        float[] c = new float[heads * t];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                float d = 0;
                for (int j = 0; j < hd; j++) {
                    d += k[ti * in + h * hd + j] * bq[h * hd + j];
                }
                c[h * t + ti] = d;
            }
        }
        return c;
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
     * {@code out}; then {@code after} over the image rows. When {@link RowParallelGemm#multiply} would split the
     * product, each of its blocks of image rows is staged, multiplied and handed to {@code after} by one thread, in
     * one fork: the caller's row pass (the residual LayerNorm) joins the product, and the staging copy runs on both
     * threads; the blocks are {@link RowParallelGemm#multiply}'s, so the same bits as the product and then the pass.
     * A 1-box LiteMedSAM decode took 18.50 against 18.64 ms back to back (quartiles 18.34 to 18.76 against 18.48 to
     * 18.88) and 31.53 against 31.22 ms after 50 ms idle, no change there (one JVM, the forms alternating,
     * 2026-12-06). Else one product, then {@code after} as a {@link ChunkedParallel} loop of
     * {@code afterCostPerRow} a row.
     *
     * @param buf staging buffers (STAGE_A, STAGE_B)
     */
    static void output(float[] sT, float[] m, int rows, int hw, int e, NativeFloats out, DecoderBuffers buf,
                       int afterCostPerRow, ChunkedParallel.Range after) {
        NativeFloats sa = buf.get(DecoderBuffers.Native.STAGE_A, (long) rows * hw);
        INDArray mm = buf.get(DecoderBuffers.Native.STAGE_B, (long) rows * e).stage(m, rows, e);
        out.ensure((long) hw * e);
        int threads = RowParallelGemm.threads();
        if (!RowParallelGemm.splitsRows(hw, rows, e, threads)) {
            sa.stage(sT, hw, rows);
            RowParallelGemm.multiply(sa, hw, rows, mm, false, e, out, 0.0);
            ChunkedParallel.parallel(hw, afterCostPerRow, after);
            return;
        }
        RowParallelGemm.forEachBlock(hw, threads, (r0, r1) -> {
            sa.put(r0 * rows, sT, r0 * rows, (r1 - r0) * rows);
            RowParallelGemm.multiplyRows(sa, r0, r1, rows, mm, false, e, out, 0.0);
            after.run(r0, r1);
        });
    }

}

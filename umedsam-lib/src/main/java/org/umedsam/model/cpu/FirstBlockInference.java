package org.umedsam.model.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two cross attentions of the two-way transformer's first block for inference, with their image side
 * projected once per image embedding ({@link Image}) instead of once per box.
 *
 * <p>Why: the first block's image inputs are the image tokens {@code src} and {@code src + PE}, the same for
 * every box of an image; only later blocks see box-dependent image tokens. So the projections of the image,
 * {@code K = (src + PE) Wk^T}, {@code V = src Wv^T} (token-to-image) and {@code Q = (src + PE) Wq^T}
 * (image-to-token), each {@code [HW, I]}, are made once per image (biases: see {@link Image}), kept off-heap,
 * and a box's products with the image shrink from {@code [H*T, E]} by {@code [E, HW]} (as in
 * {@link TokenToImageInference}, {@link ImageToTokenInference}, for image tokens that change per box) to
 * {@code [H*T, I]} by {@code [I, HW]} with {@code I = E / 2}. The heads ride in one product: the box's
 * projected tokens are spread block-diagonally, {@code D [H*T, I]} with row {@code h*T + t} holding token
 * {@code t}'s head-{@code h} columns and zeros elsewhere, so {@code D K^T} is every head's score rows.
 *
 * <p>Numerics: float32; the same function as the tape path's attentions (projections, then per-head
 * products), summed in sgemm's order. A box's results depend only on the image's projections, which do
 * not depend on the other boxes, so a box decodes to the same bits alone as in a batch.
 */
final class FirstBlockInference {

    private final SamAttention toImage;
    private final SamAttention toTokens;
    /** Token-to-image query projection and output projection (with biases). */
    private final ResidentLinear tiQuery;
    private final ResidentLinear tiOut;
    /** Image-to-token key and value projections of the tokens. */
    private final ResidentLinear itKey;
    private final ResidentLinear itValue;
    /** The image-side projection weights {@code [I, E]} off-heap: token-to-image keys and values, image-to-token queries. */
    private final INDArray tiKeyWeight;
    private final INDArray tiValueWeight;
    private final INDArray itQueryWeight;
    /** Image-to-token output projection without bias ({@code Wo^T}; the bias is added by the caller). */
    private final ResidentLinear itOut;

    FirstBlockInference(SamAttention toImage, SamAttention toTokens) {
        this.toImage = toImage;
        this.toTokens = toTokens;
        this.tiQuery = ResidentLinear.of(toImage.q);
        this.tiOut = ResidentLinear.of(toImage.out);
        this.itKey = ResidentLinear.of(toTokens.k);
        this.itValue = ResidentLinear.of(toTokens.v);
        this.itOut = new ResidentLinear(toTokens.out.weight, toTokens.internal, toTokens.dim, true, null);
        this.tiKeyWeight = Nd4j.create(toImage.k.weight, new long[]{toImage.internal, toImage.dim}, 'c');
        this.tiValueWeight = Nd4j.create(toImage.v.weight, new long[]{toImage.internal, toImage.dim}, 'c');
        this.itQueryWeight = Nd4j.create(toTokens.q.weight, new long[]{toTokens.internal, toTokens.dim}, 'c');
    }

    /**
     * The image side of one image, off-heap, each {@code [HW, I]}: {@code K = (src + PE) Wk^T} and
     * {@code V = src Wv^T} (token-to-image), {@code Q = (src + PE) Wq^T} (image-to-token), without biases:
     * the key bias adds a constant per score row, which the softmax cancels; the value bias passes through
     * the probabilities (they sum to 1) and is added on the token side; the query bias's part of the scores
     * is a per-row constant of the box ({@link ImageToTokenInference#queryBiasScores}).
     */
    static final class Image {
        final INDArray keys;
        final INDArray values;
        final INDArray queries;

        private Image(INDArray keys, INDArray values, INDArray queries) {
            this.keys = keys;
            this.values = values;
            this.queries = queries;
        }
    }

    /**
     * Projects one image's tokens: three sgemm calls on off-heap copies of the inputs (staged in {@code buf}'s native
     * KEYS and KEYS_PE slots, which a box's pass overwrites later) into off-heap results, those of {@code recycle}
     * when it is not null and of this model's sizes (its arrays are then overwritten: only for a context that is
     * being replaced, {@link ImageContext}).
     *
     * @param src   image tokens {@code [HW, E]}
     * @param srcPe {@code src + PE}
     */
    Image image(float[] src, float[] srcPe, int hw, DecoderBuffers buf, Image recycle) {
        int e = toImage.dim;
        INDArray x = buf.get(DecoderBuffers.Native.KEYS, (long) hw * e).stageParallel(src, 0, hw, e);
        INDArray xPe = buf.get(DecoderBuffers.Native.KEYS_PE, (long) hw * e).stageParallel(srcPe, 0, hw, e);
        boolean reuse = recycle != null && recycle.keys.length() == (long) hw * toImage.internal
                && recycle.queries.length() == (long) hw * toTokens.internal;
        INDArray k = reuse ? recycle.keys : projection(hw, toImage.internal);
        INDArray v = reuse ? recycle.values : projection(hw, toImage.internal);
        INDArray q = reuse ? recycle.queries : projection(hw, toTokens.internal);
        Nd4j.gemm(xPe, tiKeyWeight, k, false, true, 1.0, 0.0);
        Nd4j.gemm(x, tiValueWeight, v, false, true, 1.0, 0.0);
        Nd4j.gemm(xPe, itQueryWeight, q, false, true, 1.0, 0.0);
        return new Image(k, v, q);
    }

    private static INDArray projection(int hw, int width) {
        return Nd4j.createUninitialized(DataType.FLOAT, new long[]{hw, width}, 'c');
    }

    /**
     * Token-to-image attention ({@code cross_attn_token_to_image} of the first block).
     *
     * @param tokensPe queries before projection {@code [T, E]} (tokens + their PE)
     * @param p        scratch for the probabilities, at least {@code H*T*HW} values
     * @param buf      staging buffers (STAGE_A, STAGE_C)
     * @return {@code [T, E]}
     */
    float[] tokenToImage(Image img, float[] tokensPe, int t, int hw, float[] p, DecoderBuffers buf) {
        SamAttention a = toImage;
        int rows = a.heads * t;
        int in = a.internal;
        float[] q = tiQuery.apply(tokensPe, t, false);
        float[] r = TokenToImageInference.attend(blockDiagonal(q, t, a.heads, a.headDim), rows, in, img.keys, img.values,
                in, hw, a.scale, p, buf);
        return TokenToImageInference.headOutputs(r, t, a, tiOut);
    }

    /**
     * Image-to-token attention's probabilities ({@code cross_attn_image_to_token} of the first block)
     * {@code S [H*T, HW]} into {@code s} (each head's block of {@code T} rows sums to 1 down every column) and
     * transposed into {@code buf}'s SCORES_T slot, and {@code M [H*T, E]}, returned:
     * {@link ImageToTokenInference#output(float[], float[], int, int, int, NativeFloats, DecoderBuffers, int,
     * ChunkedParallel.Range)} finishes the attention.
     *
     * @param tokensPe keys before projection {@code [T, E]} (tokens + their PE)
     * @param tokens   values before projection {@code [T, E]}
     * @param buf      staging buffers (STAGE_A, STAGE_C) and the SCORES_T slot
     */
    float[] imageToTokenScores(Image img, float[] tokensPe, float[] tokens, int t, int hw, float[] s, DecoderBuffers buf) {
        SamAttention a = toTokens;
        int rows = a.heads * t;
        int in = a.internal;
        float[] k = itKey.apply(tokensPe, t, false);
        ImageToTokenInference.probabilities(blockDiagonal(k, t, a.heads, a.headDim), in, img.queries,
                ImageToTokenInference.queryBiasScores(k, a.q.bias, t, a.heads, a.headDim), a, t, hw, s, buf);
        float[] v = itValue.apply(tokens, t, false);
        return itOut.apply(blockDiagonal(v, t, a.heads, a.headDim), rows, false);
    }

    /**
     * {@code x [T, H*d]} spread to {@code [H*T, H*d]}: row {@code h*T + t} holds {@code x[t]}'s columns
     * {@code [h*d, (h+1)*d)} in place, zeros elsewhere.
     */
    static float[] blockDiagonal(float[] x, int t, int heads, int hd) {
        int w = heads * hd;
        float[] d = new float[heads * t * w];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(x, ti * w + h * hd, d, (h * t + ti) * w + h * hd, hd);
            }
        }
        return d;
    }

    /** The inverse gather of {@link #blockDiagonal}: {@code r [H*T, H*d]} -> {@code [T, H*d]} from the diagonal blocks. */
    static float[] diagonalBlocks(float[] r, int t, int heads, int hd) {
        int w = heads * hd;
        float[] x = new float[t * w];
        for (int h = 0; h < heads; h++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(r, (h * t + ti) * w + h * hd, x, ti * w + h * hd, hd);
            }
        }
        return x;
    }
}

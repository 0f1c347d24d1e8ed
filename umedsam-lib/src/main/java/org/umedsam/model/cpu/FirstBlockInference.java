package org.umedsam.model.cpu;

/**
 * The two cross attentions of the two-way transformer's first block for inference, with their image side
 * projected once per image embedding ({@link Image}) instead of once per box.
 *
 * <p>Why: the first block's image inputs are the image tokens {@code src} and {@code src + PE}, the same for
 * every box of an image; only later blocks see box-dependent image tokens. So the projections of the image,
 * {@code K = (src + PE) Wk^T + bk}, {@code V = src Wv^T + bv} (token-to-image) and
 * {@code Q = (src + PE) Wq^T + bq} (image-to-token), each {@code [HW, I]}, are made once per image, kept
 * off-heap ({@link ResidentLinear}), and a box's products with the image shrink from {@code [H*T, E]} by
 * {@code [E, HW]} (the folded form of {@link TokenToImageInference}, {@link ImageToTokenInference}) to
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
    }

    /** The image side of one image: {@code K^T}, {@code V} (token-to-image) and {@code Q^T} (image-to-token), off-heap. */
    static final class Image {
        /** {@code y [rows, HW] = x [rows, I] K^T}. */
        final ResidentLinear keys;
        /** {@code y [rows, I] = p [rows, HW] V}. */
        final ResidentLinear values;
        /** {@code y [rows, HW] = x [rows, I] Q^T}. */
        final ResidentLinear queries;

        private Image(ResidentLinear keys, ResidentLinear values, ResidentLinear queries) {
            this.keys = keys;
            this.values = values;
            this.queries = queries;
        }
    }

    /**
     * Projects one image's tokens.
     *
     * @param src   image tokens {@code [HW, E]}
     * @param srcPe {@code src + PE}
     */
    Image image(float[] src, float[] srcPe, int hw) {
        float[] k = project(srcPe, hw, toImage.k);
        float[] v = project(src, hw, toImage.v);
        float[] q = project(srcPe, hw, toTokens.q);
        int ik = toImage.internal;
        int iq = toTokens.internal;
        return new Image(new ResidentLinear(k, ik, hw, true, null), new ResidentLinear(v, hw, toImage.internal, false, null),
                new ResidentLinear(q, iq, hw, true, null));
    }

    /** {@code x [rows, E] W^T + b} of a PyTorch linear, as a new {@code [rows, out]}. */
    private static float[] project(float[] x, int rows, Linear l) {
        float[] y = new float[rows * l.out];
        Gemm.multiply(x, 0, rows, l.in, l.weight, 0, l.out, true, y, 0);
        float[] b = l.bias;
        int n = l.out;
        ChunkedParallel.parallel(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * n;
                for (int j = 0; j < n; j++) {
                    y[o + j] += b[j];
                }
            }
        });
        return y;
    }

    /**
     * Token-to-image attention ({@code cross_attn_token_to_image} of the first block).
     *
     * @param tokensPe queries before projection {@code [T, E]} (tokens + their PE)
     * @param p        scratch for the probabilities, at least {@code H*T*HW} values
     * @return {@code [T, E]}
     */
    float[] tokenToImage(Image img, float[] tokensPe, int t, int hw, float[] p) {
        SamAttention a = toImage;
        int rows = a.heads * t;
        float[] q = tiQuery.apply(tokensPe, t, false);
        img.keys.applyInto(blockDiagonal(q, t, a.heads, a.headDim), rows, p);
        float scale = a.scale;
        ChunkedParallel.parallel(rows, hw * 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                Softmax.wideRowVector(p, r * hw, hw, scale);
            }
        });
        float[] r = img.values.apply(p, rows, false);
        return tiOut.apply(diagonalBlocks(r, t, a.heads, a.headDim), t, false);
    }

    /**
     * Image-to-token attention's probabilities ({@code cross_attn_image_to_token} of the first block)
     * {@code S [H*T, HW]} into {@code s} (each head's block of {@code T} rows sums to 1 down every column) and
     * transposed into {@code buf}'s SCORES_T slot,
     * and {@code M [H*T, E]}, returned: {@link ImageToTokenInference#output(float[], float[], int, int, int,
     * NativeFloats, DecoderBuffers)} finishes the attention.
     *
     * @param tokensPe keys before projection {@code [T, E]} (tokens + their PE)
     * @param tokens   values before projection {@code [T, E]}
     */
    float[] imageToTokenScores(Image img, float[] tokensPe, float[] tokens, int t, int hw, float[] s, DecoderBuffers buf) {
        SamAttention a = toTokens;
        int rows = a.heads * t;
        float[] k = itKey.apply(tokensPe, t, false);
        img.queries.applyInto(blockDiagonal(k, t, a.heads, a.headDim), rows, s);
        ImageToTokenInference.columnSoftmax(s, null, a.heads, t, hw, a.scale, buf.get(DecoderBuffers.Slot.SCORES_T, rows * hw));
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

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * {@link TwoWayTransformer}'s forward for inference, one box (no tape): the same function
 * (transformer.py {@code TwoWayTransformer}: blocks of self-attention, token-to-image attention, ReLU MLP,
 * image-to-token attention, each with LayerNorm; the first block without query PE; final token-to-image
 * attention and LayerNorm), scheduled for speed: {@link TokenToImageInference}, {@link ImageToTokenInference}
 * and {@link TokenAttentionOps} (every product an sgemm call, per-head weight products made once per model).
 * The image-sized activations that feed products stay off-heap ({@link NativeFloats}): written once a row at
 * a time by the pass that makes them, read by sgemm without staging copies.
 *
 * <p>Each box runs alone: sgemm may round a row differently when the number of rows changes, and a box must
 * decode to the same bits alone as in a batch. What the boxes share does not depend on the boxes and is
 * prepared once per image by the caller ({@link ImageContext}): the image tokens {@code src} and
 * {@code src + PE}, and the first block's projections of them ({@link FirstBlockInference}); later blocks
 * work in the native KEYS buffer. The image PE is made once per model.
 */
final class TwoWayTransformerInference {

    private static final float EPS = (float) ModelConfig.LN_EPS;

    private final TwoWayTransformer.Block[] blocks;
    /**
     * Per block, the self-attention's stacked projections (the first block: q, k, v from
     * {@link TokenAttentionOps#stackQkv}; the others: q, k from {@code stackQk} and v), its output
     * projection, and the MLP's two layers, all resident off-heap.
     */
    private final ResidentLinear[] fused;
    private final ResidentLinear[] selfV;
    private final ResidentLinear[] selfOut;
    private final ResidentLinear[] lin1;
    private final ResidentLinear[] lin2;
    private final TokenToImageInference[] toImage;
    private final ImageToTokenInference[] toTokens;
    private final TokenToImageInference finalAttn;
    /** The first block's cross attentions, with the image side projected per image (null without blocks). */
    private final FirstBlockInference first;
    private final float[][] finalNorm;
    private final int dim;
    /** Whether {@link #residualNorm} runs {@link VectorDecoderRows} (chosen when the snapshot is built). */
    private final boolean vectorRows;

    TwoWayTransformerInference(TwoWayTransformer transformer) {
        this.blocks = transformer.blocks();
        this.fused = new ResidentLinear[blocks.length];
        this.selfV = new ResidentLinear[blocks.length];
        this.selfOut = new ResidentLinear[blocks.length];
        this.lin1 = new ResidentLinear[blocks.length];
        this.lin2 = new ResidentLinear[blocks.length];
        for (int l = 0; l < blocks.length; l++) {
            SamAttention self = blocks[l].self();
            // the first block's self-attention projects one input three times, the others project q+PE twice
            if (l == 0) {
                fused[l] = TokenAttentionOps.stackQkv(self);
            } else {
                fused[l] = TokenAttentionOps.stackQk(self);
                selfV[l] = ResidentLinear.of(self.v);
            }
            selfOut[l] = ResidentLinear.of(self.out);
            lin1[l] = ResidentLinear.of(blocks[l].lin1());
            lin2[l] = ResidentLinear.of(blocks[l].lin2());
        }
        this.toImage = new TokenToImageInference[blocks.length];
        this.toTokens = new ImageToTokenInference[blocks.length];
        for (int l = 1; l < blocks.length; l++) {
            toImage[l] = new TokenToImageInference(blocks[l].toImage().attention());
            toTokens[l] = new ImageToTokenInference(blocks[l].toTokens().attention());
        }
        this.first = blocks.length == 0 ? null
                : new FirstBlockInference(blocks[0].toImage().attention(), blocks[0].toTokens().attention());
        this.finalAttn = new TokenToImageInference(transformer.finalAttention().attention());
        this.finalNorm = transformer.finalNorm();
        this.dim = transformer.dim();
        this.vectorRows = DecoderKernels.vector() && LayerNorm.vectorRows(dim);
    }

    /**
     * The first block's image-side projections of one image ({@link FirstBlockInference}), which
     * {@link #forward} takes; null when the transformer has no blocks.
     *
     * @param src     image tokens {@code [HW, E]}
     * @param srcPe   {@code src + pe}
     * @param recycle the projections of a context being replaced, overwritten when their sizes fit, or null
     */
    FirstBlockInference.Image image(float[] src, float[] srcPe, int hw, DecoderBuffers buf,
                                    FirstBlockInference.Image recycle) {
        return first == null ? null : first.image(src, srcPe, hw, buf, recycle);
    }

    /**
     * @param pointTokens the prompt/output tokens {@code [T, E]}, also their PE; not modified
     * @param image0      {@link #image} of {@code src} and {@code srcPe}
     * @param src         image tokens {@code [HW, E]}; not modified
     * @param pe          image PE {@code [HW, E]}
     * @param srcPe       {@code src + pe}
     * @param buf         scratch (slot SCORES, native slots KEYS, KEYS_PE, ATTN and the staging ones); the output
     *                    image tokens {@code [HW, E]} are its native KEYS slot
     * @return queries {@code [T, E]}
     */
    float[] forward(float[] pointTokens, int t, FirstBlockInference.Image image0, float[] src, float[] pe, float[] srcPe,
                    int hw, DecoderBuffers buf) {
        int e = dim;
        NativeFloats keys = buf.get(DecoderBuffers.Native.KEYS, (long) hw * e);
        NativeFloats kpe = buf.get(DecoderBuffers.Native.KEYS_PE, (long) hw * e);
        NativeFloats attn = buf.get(DecoderBuffers.Native.ATTN, (long) hw * e);
        float[] q = pointTokens.clone();
        for (int l = 0; l < blocks.length; l++) {
            TwoWayTransformer.Block blk = blocks[l];
            if (l == 0) {
                // no PE, and the attention's output replaces the queries
                q = TokenAttentionOps.selfAttention(blk.self(), fused[l], null, selfOut[l], q, q, t);
            } else {
                float[] qp = plus(q, pointTokens);
                addInPlace(q, TokenAttentionOps.selfAttention(blk.self(), fused[l], selfV[l], selfOut[l], qp, q, t));
            }
            norm(q, t, blk.norm1());
            SamAttention tia = blk.toImage().attention();
            float[] p = buf.get(DecoderBuffers.Slot.SCORES, tia.heads * t * hw);
            // the first block reads the image's projections; later ones the keys (+ PE) of the block before
            addInPlace(q, l == 0 ? first.tokenToImage(image0, plus(q, pointTokens), t, hw, p, buf)
                    : toImage[l].forward(plus(q, pointTokens), t, kpe.matrix(hw, e), keys.matrix(hw, e), hw, p, buf));
            norm(q, t, blk.norm2());
            addInPlace(q, lin2[l].apply(lin1[l].apply(q, t, true), t, false));
            norm(q, t, blk.norm3());
            SamAttention ita = blk.toTokens().attention();
            int rows = ita.heads * t;
            float[] s = buf.get(DecoderBuffers.Slot.SCORES, rows * hw);
            float[] m = l == 0 ? first.imageToTokenScores(image0, plus(q, pointTokens), q, t, hw, s, buf)
                    : toTokens[l].scores(plus(q, pointTokens), q, t, kpe.matrix(hw, e), hw, s, buf);
            float[] in = l == 0 ? src : null;
            float[][] norm4 = blk.norm4();
            ImageToTokenInference.output(buf.get(DecoderBuffers.Slot.SCORES_T, rows * hw), m, rows, hw, e, attn, buf,
                    e * 5, (from, to) -> residualNorm(in, keys, attn, ita.out.bias, norm4, pe, kpe, from, to));
        }
        if (blocks.length == 0) { // the output image tokens are the input
            keys.put(0, src, 0, hw * e);
            kpe.put(0, srcPe, 0, hw * e);
        }
        addInPlace(q, finalAttn.forward(plus(q, pointTokens), t, kpe.matrix(hw, e), keys.matrix(hw, e), hw,
                buf.get(DecoderBuffers.Slot.SCORES, finalAttn.attention().heads * t * hw), buf));
        norm(q, t, finalNorm);
        return q;
    }

    /**
     * {@code keys = LayerNorm(in + attn + bias)} row by row over {@code [HW, E]}, where {@code in} is
     * {@code src} when not null (the first block), else {@code keys} itself; and {@code keysPe = keys + pe}
     * while the row is in cache (the next attention's keys; one pass fewer); rows {@code [from, to)}, on the calling
     * thread (the image-to-token output runs it on each block of rows it makes).
     */
    private void residualNorm(float[] src, NativeFloats keys, NativeFloats attn, float[] bias, float[][] norm,
                              float[] pe, NativeFloats keysPe, int from, int to) {
        int e = dim;
        float[] nw = norm[0];
        float[] nb = norm[1];
        if (vectorRows) {
            float[] row = new float[e];
            for (int r = from; r < to; r++) {
                VectorDecoderRows.residualNorm(src, keys.bytes(), attn.bytes(), r, e, bias, nw, nb, EPS, pe,
                        keysPe.bytes(), row);
            }
            return;
        }
        // each row's operands copied to offset 0 first: C2 vectorises the adds only when every array
        // shares one index (the same arithmetic, so the same bits; 10-15% less time, measured)
        float[] a = new float[e];
        float[] b = new float[e];
        for (int r = from; r < to; r++) {
            int o = r * e;
            if (src != null) {
                System.arraycopy(src, o, a, 0, e);
            } else {
                keys.get(o, a, 0, e);
            }
            attn.get(o, b, 0, e);
            for (int i = 0; i < e; i++) {
                a[i] = a[i] + (b[i] + bias[i]);
            }
            LayerNorm.row(a, 0, a, 0, e, nw, nb, EPS);
            keys.put(o, a, 0, e);
            System.arraycopy(pe, o, b, 0, e);
            for (int i = 0; i < e; i++) {
                b[i] = a[i] + b[i];
            }
            keysPe.put(o, b, 0, e);
        }
    }

    private void norm(float[] x, int rows, float[][] wb) {
        LayerNorm.rows(x, 0, x, 0, rows, dim, wb[0], wb[1], EPS);
    }

    private static float[] plus(float[] a, float[] b) {
        return TwoWayTransformer.plus(a, b);
    }

    private static void addInPlace(float[] a, float[] b) {
        TwoWayTransformer.addInPlace(a, b);
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * SAM's two-way transformer (transformer.py, as {@code org.umedsam.model.TwoWayTransformer}) for one
 * prompt: {@code depth} blocks of token self-attention, token-to-image attention, ReLU MLP and
 * image-to-token attention, each followed by LayerNorm (eps 1e-5), the PEs re-added to queries and
 * keys; the first block's self-attention skips the query PE and its residual; then a final
 * token-to-image attention and LayerNorm.
 */
final class TwoWayTransformer {

    static final String P = "mask_decoder.transformer.";
    private static final float EPS = (float) ModelConfig.LN_EPS;

    private final int dim;
    private final Block[] blocks;
    private final TokenToImageAttention finalAttn;
    private final float[][] finalNorm;

    /** One block's layers ({@code prefix} is its state-dict key prefix); norms are {weight, bias}. */
    record Block(String prefix, SamAttention self, float[][] norm1, TokenToImageAttention toImage, float[][] norm2,
                 Linear lin1, Linear lin2, float[][] norm3, ImageToTokenAttention toTokens,
                 float[][] norm4) {
    }

    TwoWayTransformer(ModelConfig c, StateDictWeights w) {
        int e = c.promptEmbedDim();
        int internal = e / c.attentionDownsample();
        int heads = c.transformerHeads();
        this.dim = e;
        this.blocks = new Block[c.transformerDepth()];
        for (int l = 0; l < blocks.length; l++) {
            String b = P + "layers." + l;
            blocks[l] = new Block(b,
                    new SamAttention(w, b + ".self_attn", e, e, heads), w.norm(b + ".norm1", e),
                    new TokenToImageAttention(new SamAttention(w, b + ".cross_attn_token_to_image", e, internal, heads)),
                    w.norm(b + ".norm2", e),
                    Linear.read(w, b + ".mlp.lin1", e, c.transformerMlpDim(), true),
                    Linear.read(w, b + ".mlp.lin2", c.transformerMlpDim(), e, true),
                    w.norm(b + ".norm3", e),
                    new ImageToTokenAttention(new SamAttention(w, b + ".cross_attn_image_to_token", e, internal, heads)),
                    w.norm(b + ".norm4", e));
        }
        this.finalAttn = new TokenToImageAttention(new SamAttention(w, P + "final_attn_token_to_image", e, internal, heads));
        this.finalNorm = w.norm(P + "norm_final_attn", e);
    }

    /**
     * @param pointTokens the prompt/output tokens {@code [T, E]}, also their PE (not modified)
     * @param keys        image tokens {@code [HW, E]}; updated in place to the transformer's output keys
     * @param pe          image PE {@code [HW, E]}
     * @param firstKpe    {@code keys + pe} for the input keys (shared by every box of an image), not modified
     * @param buf         scratch arrays (slots KEYS_PE, ATTN, SCORES)
     * @return queries {@code [T, E]}
     */
    float[] forward(float[] pointTokens, int t, float[] keys, float[] pe, float[] firstKpe, int hw, DecoderBuffers buf) {
        return pass(pointTokens, t, keys, pe, firstKpe, hw, buf).queries();
    }

    /**
     * The same pass with a tape for {@link TwoWayTransformerGradient}: every intermediate is a new array,
     * so no input is modified ({@code image}, {@code pe}, {@code imagePe} and {@code pointTokens} are kept
     * by the tape and must not change before the backward).
     *
     * @param image   image tokens {@code [HW, E]}
     * @param imagePe {@code image + pe}
     */
    TwoWayTransformer.Tape forwardWithTape(float[] pointTokens, int t, float[] image, float[] pe, float[] imagePe, int hw) {
        return pass(pointTokens, t, image, pe, imagePe, hw, null);
    }

    /** {@link #forward} when {@code buf} is not null (the tape then holds the queries only), else {@link #forwardWithTape}. */
    private TwoWayTransformer.Tape pass(float[] pointTokens, int t, float[] keys, float[] pe, float[] firstKpe, int hw,
                                      DecoderBuffers buf) {
        boolean recording = buf == null;
        int e = dim;
        float[] q = pointTokens.clone();
        float[] kpe = firstKpe;
        TwoWayTransformer.Tape.Block[] tapes = recording ? new TwoWayTransformer.Tape.Block[blocks.length] : null;
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            TwoWayTransformer.Tape.TokenAttention self;
            if (l == 0) {
                self = new TwoWayTransformer.Tape.TokenAttention(q, q, q, t, t, b.self.attendTokens(q, t, q, q, t));
                q = self.out();
            } else {
                float[] qp = plus(q, pointTokens);
                self = new TwoWayTransformer.Tape.TokenAttention(qp, qp, q, t, t, b.self.attendTokens(qp, t, qp, q, t));
                q = plus(q, self.out());
            }
            TwoWayTransformer.Tape.Norm n1 = norm(q, t, b.norm1, recording);
            if (l > 0) {
                kpe = recording ? new float[hw * e] : buf.get(DecoderBuffers.Slot.KEYS_PE, hw * e);
                ChunkedParallel.add(keys, pe, kpe, hw * e);
            }
            float[] tq = plus(q, pointTokens);
            TwoWayTransformer.Tape.TokenToImage toImage = new TwoWayTransformer.Tape.TokenToImage(tq, t, kpe, keys, hw,
                    b.toImage.forward(tq, t, kpe, keys, hw, scores(buf, b.toImage.attention().heads * t * hw)));
            addInPlace(q, toImage.out());
            TwoWayTransformer.Tape.Norm n2 = norm(q, t, b.norm2, recording);
            float[] mlpIn = recording ? q.clone() : q;
            float[] hidden = b.lin1.apply(mlpIn, t, Activation.RELU);
            addInPlace(q, b.lin2.apply(hidden, t, Activation.NONE));
            TwoWayTransformer.Tape.Norm n3 = norm(q, t, b.norm3, recording);
            float[] attn = recording ? new float[hw * e] : buf.get(DecoderBuffers.Slot.ATTN, hw * e);
            float[] ip = plus(q, pointTokens);
            float[] iv = recording ? q.clone() : q;
            TwoWayTransformer.Tape.ImageToToken toTokens = new TwoWayTransformer.Tape.ImageToToken(ip, iv, t, kpe, hw,
                    b.toTokens.forward(kpe, hw, ip, iv, t, attn, scores(buf, hw * b.toTokens.attention().heads * t)));
            // keys + attn + out_proj bias, then LayerNorm, row by row
            float[] next = recording ? new float[hw * e] : keys;
            float[] in = keys;
            float[] bo = b.toTokens.outputBias();
            float[] n4w = b.norm4[0];
            float[] n4b = b.norm4[1];
            TwoWayTransformer.Tape.Norm n4 = recording ? new TwoWayTransformer.Tape.Norm(new float[hw * e], new float[hw], hw) : null;
            ChunkedParallel.parallel(hw, e * 4, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int o = r * e;
                    for (int i = 0; i < e; i++) {
                        next[o + i] = in[o + i] + (attn[o + i] + bo[i]);
                    }
                    if (n4 == null) {
                        LayerNorm.row(next, o, next, o, e, n4w, n4b, EPS);
                    } else {
                        LayerNorm.row(next, o, next, o, e, n4w, n4b, EPS, n4.xhat(), n4.inv(), r);
                    }
                }
            });
            keys = next;
            if (recording) {
                tapes[l] = new TwoWayTransformer.Tape.Block(self, n1, toImage, n2, mlpIn, hidden, n3, toTokens, n4);
            }
        }
        kpe = recording ? new float[hw * e] : buf.get(DecoderBuffers.Slot.KEYS_PE, hw * e);
        ChunkedParallel.add(keys, pe, kpe, hw * e);
        float[] fq = plus(q, pointTokens);
        TwoWayTransformer.Tape.TokenToImage fin = new TwoWayTransformer.Tape.TokenToImage(fq, t, kpe, keys, hw,
                finalAttn.forward(fq, t, kpe, keys, hw, scores(buf, finalAttn.attention().heads * t * hw)));
        addInPlace(q, fin.out());
        TwoWayTransformer.Tape.Norm fn = norm(q, t, finalNorm, recording);
        return new TwoWayTransformer.Tape(q, keys, t, hw, tapes, recording ? fin : null, fn);
    }

    /** Attention probabilities: the SCORES slot of {@code buf}, or a new array when recording. */
    private static float[] scores(DecoderBuffers buf, int n) {
        return buf == null ? new float[n] : buf.get(DecoderBuffers.Slot.SCORES, n);
    }

    /** LayerNorm of {@code x [rows, E]} in place; with its tape when {@code recording}, else null. */
    private TwoWayTransformer.Tape.Norm norm(float[] x, int rows, float[][] wb, boolean recording) {
        if (!recording) {
            LayerNorm.rows(x, 0, x, 0, rows, dim, wb[0], wb[1], EPS);
            return null;
        }
        TwoWayTransformer.Tape.Norm n = new TwoWayTransformer.Tape.Norm(new float[rows * dim], new float[rows], rows);
        DecoderGradientKernels.layerNorm(x, rows, dim, wb[0], wb[1], EPS, n.xhat(), n.inv());
        return n;
    }

    /** The blocks, first to last (read by {@link TwoWayTransformerGradient}). */
    Block[] blocks() {
        return blocks.clone();
    }

    /** The final token-to-image attention, {@code P + "final_attn_token_to_image"}. */
    TokenToImageAttention finalAttention() {
        return finalAttn;
    }

    /** The final LayerNorm's {weight, bias}, {@code P + "norm_final_attn"}. */
    float[][] finalNorm() {
        return finalNorm;
    }

    int dim() {
        return dim;
    }

    /** {@code a + b} element-wise into a new array. */
    static float[] plus(float[] a, float[] b) {
        float[] y = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    /** {@code a += b} element-wise. */
    static void addInPlace(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }

    /**
     * What a {@link TwoWayTransformer} pass keeps for its backward ({@link TwoWayTransformerGradient}):
     * the results, queries {@code [T, E]} and keys {@code [HW, E]}, and per block the attentions' tapes, the
     * LayerNorms' tapes and the MLP's input and hidden activation. Every array is the pass's own: none
     * changes before the backward.
     */
    record Tape(float[] queries, float[] keys, int t, int hw, Block[] blocks, TokenToImage finalAttn,
                Norm finalNorm) {

        /** A LayerNorm's tape: normalised values {@code xhat [rows, E]} and inverse standard deviations {@code [rows]}. */
        record Norm(float[] xhat, float[] inv, int rows) {
        }

        /** One block's tape. */
        record Block(TokenAttention self, Norm n1, TokenToImage toImage, Norm n2, float[] mlpIn, float[] hidden,
                     Norm n3, ImageToToken toTokens, Norm n4) {
        }

        /** A forward pass's inputs (unchanged since) and values, as the backward reads them; {@link #out} is the result. */
        record TokenAttention(float[] xq, float[] xk, float[] xv, int nq, int nk, SamAttention.TokenAttention f) {
            /** The attention's output {@code [nq, E]}. */
            float[] out() {
                return f.out();
            }
        }

        /** A forward pass's inputs (unchanged since) and values, as the backward reads them; {@link #out} is the result. */
        record TokenToImage(float[] tokens, int t, float[] kpe, float[] image, int hw, TokenToImageAttention.Folded f) {
            /** The attention's output {@code [T, E]}. */
            float[] out() {
                return f.out();
            }
        }

        /** A forward pass's inputs (unchanged since) and values, as the backward reads them. */
        record ImageToToken(float[] tp, float[] tv, int t, float[] kpe, int hw, ImageToTokenAttention.Folded f) {
        }
    }
}

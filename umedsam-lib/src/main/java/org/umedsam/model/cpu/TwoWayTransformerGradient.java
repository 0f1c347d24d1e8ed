package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

import static org.umedsam.model.cpu.CpuTwoWayTransformer.addInPlace;
import static org.umedsam.model.cpu.CpuTwoWayTransformer.plus;

/**
 * {@link CpuTwoWayTransformer} with a tape, and its backward (same function, same weights snapshot):
 * per block self-attention (block 0: no query PE, no residual), LayerNorm, token-to-image attention,
 * LayerNorm, ReLU MLP, LayerNorm, image-to-token attention, LayerNorm of the image tokens; then the
 * final token-to-image attention and LayerNorm. Gradients flow to every weight of the transformer and
 * to the point tokens (which are both the initial queries and the query PE); the image tokens' input
 * gradient is not formed (the encoder is frozen and no_mask_embed belongs to the prompt encoder).
 */
final class TwoWayTransformerGradient {

    private static final float EPS = (float) ModelConfig.LN_EPS;

    private final int dim;
    private final Block[] blocks;
    private final TokenToImageAttentionGradient finalAttn;
    private final Norm finalNorm;

    /** A LayerNorm's weight, bias and key prefix. */
    record Norm(String prefix, float[] w, float[] b) {
        Norm(String prefix, float[][] wb) {
            this(prefix, wb[0], wb[1]);
        }
    }

    private record Block(TokenAttentionGradient self, Norm norm1, TokenToImageAttentionGradient toImage, Norm norm2,
                         Linear lin1, Linear lin2, String mlp, Norm norm3,
                         ImageToTokenAttentionGradient toTokens, Norm norm4) {
    }

    /** The backward of {@code forward}'s layers (the same weight arrays). */
    TwoWayTransformerGradient(CpuTwoWayTransformer forward) {
        this.dim = forward.dim();
        CpuTwoWayTransformer.Block[] fb = forward.blocks();
        this.blocks = new Block[fb.length];
        for (int l = 0; l < blocks.length; l++) {
            CpuTwoWayTransformer.Block f = fb[l];
            String b = f.prefix();
            blocks[l] = new Block(
                    new TokenAttentionGradient(f.self(), b + ".self_attn"), new Norm(b + ".norm1", f.norm1()),
                    new TokenToImageAttentionGradient(f.toImage(), b + ".cross_attn_token_to_image"),
                    new Norm(b + ".norm2", f.norm2()), f.lin1(), f.lin2(), b + ".mlp", new Norm(b + ".norm3", f.norm3()),
                    new ImageToTokenAttentionGradient(f.toTokens(), b + ".cross_attn_image_to_token"),
                    new Norm(b + ".norm4", f.norm4()));
        }
        String p = CpuTwoWayTransformer.P;
        this.finalAttn = new TokenToImageAttentionGradient(forward.finalAttention(), p + "final_attn_token_to_image");
        this.finalNorm = new Norm(p + "norm_final_attn", forward.finalNorm());
    }

    /** A LayerNorm's tape: normalised values and inverse standard deviations. */
    record NormTape(float[] xhat, float[] inv, int rows) {
    }

    private record BlockTape(TokenAttentionGradient.Tape self, NormTape n1, TokenToImageAttentionGradient.Tape toImage,
                             NormTape n2, float[] mlpIn, float[] hidden, NormTape n3,
                             ImageToTokenAttentionGradient.Tape toTokens, NormTape n4) {
    }

    /** The forward pass's results and tape: queries {@code [T, E]}, keys {@code [HW, E]}. */
    record Tape(float[] queries, float[] keys, int t, int hw, BlockTape[] blocks,
                TokenToImageAttentionGradient.Tape finalAttn, NormTape finalNorm) {
    }

    /**
     * @param pointTokens prompt/output tokens {@code [T, E]} (queries and their PE)
     * @param image       image tokens {@code [HW, E]} (embedding + no_mask_embed)
     * @param pe          image PE {@code [HW, E]}
     * (all three are kept by the tape: they must not change before the backward)
     */
    Tape forward(float[] pointTokens, int t, float[] image, float[] pe, int hw) {
        int e = dim;
        float[] q = pointTokens.clone();
        float[] keys = image;
        BlockTape[] tapes = new BlockTape[blocks.length];
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            TokenAttentionGradient.Tape st;
            if (l == 0) {
                st = b.self.forward(q, t, q, q, t);
                q = st.out().clone();
            } else {
                float[] qp = plus(q, pointTokens);
                st = b.self.forward(qp, t, qp, q.clone(), t);
                q = plus(q, st.out());
            }
            NormTape n1 = norm(q, t, b.norm1);
            float[] kpe = new float[hw * e];
            DecoderKernels.add(keys, pe, kpe, hw * e);
            TokenToImageAttentionGradient.Tape ti = b.toImage.forward(plus(q, pointTokens), t, kpe, keys, hw);
            q = plus(q, ti.out());
            NormTape n2 = norm(q, t, b.norm2);
            float[] mlpIn = q.clone();
            float[] hidden = b.lin1.apply(mlpIn, t, Activation.RELU);
            q = plus(q, b.lin2.apply(hidden, t, Activation.NONE));
            NormTape n3 = norm(q, t, b.norm3);
            float[] attn = new float[hw * e];
            ImageToTokenAttentionGradient.Tape it = b.toTokens.forward(kpe, hw, plus(q, pointTokens), q.clone(), t, attn);
            float[] bo = b.toTokens.outputBias();
            float[] k0 = keys;
            DecoderKernels.parallel(hw, e, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int o = r * e;
                    for (int i = 0; i < e; i++) {
                        attn[o + i] += k0[o + i] + bo[i];
                    }
                }
            });
            keys = attn;
            NormTape n4 = norm(keys, hw, b.norm4);
            tapes[l] = new BlockTape(st, n1, ti, n2, mlpIn, hidden, n3, it, n4);
        }
        float[] kpe = new float[hw * e];
        DecoderKernels.add(keys, pe, kpe, hw * e);
        TokenToImageAttentionGradient.Tape ft = finalAttn.forward(plus(q, pointTokens), t, kpe, keys, hw);
        q = plus(q, ft.out());
        NormTape fn = norm(q, t, finalNorm);
        return new Tape(q, keys, t, hw, tapes, ft, fn);
    }

    private NormTape norm(float[] x, int rows, Norm n) {
        NormTape nt = new NormTape(new float[rows * dim], new float[rows], rows);
        DecoderBackprop.layerNorm(x, rows, dim, n.w(), n.b(), EPS, nt.xhat(), nt.inv());
        return nt;
    }

    private void normBackward(float[] dy, NormTape nt, Norm n, DecoderGradientSums g) {
        DecoderBackprop.layerNormBackward(dy, nt.rows(), dim, n.w(), nt.xhat(), nt.inv(), n.prefix(), g);
    }

    /**
     * @param dQueries dLoss/dqueries {@code [T, E]} (modified)
     * @param dKeys    dLoss/dkeys {@code [HW, E]} (modified)
     * @return dLoss/dpointTokens {@code [T, E]}
     */
    float[] backward(Tape tape, float[] dQueries, float[] dKeys, DecoderGradientSums g) {
        int t = tape.t();
        int hw = tape.hw();
        int e = dim;
        float[] dq = dQueries;
        float[] dPoint = new float[t * e];
        normBackward(dq, tape.finalNorm(), finalNorm, g);
        float[] dk = dKeys;
        float[] dTok = finalAttn.backward(tape.finalAttn(), dq, g, dk);
        addInPlace(dq, dTok);
        addInPlace(dPoint, dTok);
        for (int l = blocks.length - 1; l >= 0; l--) {
            Block b = blocks[l];
            BlockTape bt = tape.blocks()[l];
            // image tokens: LayerNorm, then keys_in + attn + bo; keys_in is the previous block's output
            normBackward(dk, bt.n4(), b.norm4(), g);
            boolean inputGrad = l > 0;
            float[] dIn = inputGrad ? dk.clone() : null;
            float[][] dt = b.toTokens.backward(bt.toTokens(), dk, g, dIn);
            addInPlace(dq, dt[0]);
            addInPlace(dPoint, dt[0]);
            addInPlace(dq, dt[1]);
            normBackward(dq, bt.n3(), b.norm3(), g);
            float[] dh = dq.clone();
            float[] dHidden = DecoderBackprop.linear(b.lin2, b.mlp + ".lin2", bt.hidden(), dh, t, g);
            DecoderBackprop.relu(bt.hidden(), dHidden);
            addInPlace(dq, DecoderBackprop.linear(b.lin1, b.mlp + ".lin1", bt.mlpIn(), dHidden, t, g));
            normBackward(dq, bt.n2(), b.norm2(), g);
            dTok = b.toImage.backward(bt.toImage(), dq, g, dIn);
            addInPlace(dq, dTok);
            addInPlace(dPoint, dTok);
            normBackward(dq, bt.n1(), b.norm1(), g);
            float[][] ds = b.self.backward(bt.self(), dq, g);
            if (l == 0) {
                // q = self(point, point, point): every input is the point tokens
                dq = new float[t * e];
                addInPlace(dq, ds[0]);
                addInPlace(dq, ds[1]);
                addInPlace(dq, ds[2]);
            } else {
                // q = q + self(q + point, q + point, q)
                addInPlace(dq, ds[0]);
                addInPlace(dq, ds[1]);
                addInPlace(dPoint, ds[0]);
                addInPlace(dPoint, ds[1]);
                addInPlace(dq, ds[2]);
            }
            dk = dIn;
        }
        addInPlace(dPoint, dq);
        return dPoint;
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

import static org.umedsam.model.cpu.TwoWayTransformer.addInPlace;

/**
 * Backward of {@link TwoWayTransformer} from the tape of its {@code forwardWithTape} pass:
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
    TwoWayTransformerGradient(TwoWayTransformer forward) {
        this.dim = forward.dim();
        TwoWayTransformer.Block[] fb = forward.blocks();
        this.blocks = new Block[fb.length];
        for (int l = 0; l < blocks.length; l++) {
            TwoWayTransformer.Block f = fb[l];
            String b = f.prefix();
            blocks[l] = new Block(
                    new TokenAttentionGradient(f.self(), b + ".self_attn"), new Norm(b + ".norm1", f.norm1()),
                    new TokenToImageAttentionGradient(f.toImage(), b + ".cross_attn_token_to_image"),
                    new Norm(b + ".norm2", f.norm2()), f.lin1(), f.lin2(), b + ".mlp", new Norm(b + ".norm3", f.norm3()),
                    new ImageToTokenAttentionGradient(f.toTokens(), b + ".cross_attn_image_to_token"),
                    new Norm(b + ".norm4", f.norm4()));
        }
        String p = TwoWayTransformer.P;
        this.finalAttn = new TokenToImageAttentionGradient(forward.finalAttention(), p + "final_attn_token_to_image");
        this.finalNorm = new Norm(p + "norm_final_attn", forward.finalNorm());
    }

    private void normBackward(float[] dy, TwoWayTransformer.Tape.Norm nt, Norm n, GradientSums g) {
        DecoderGradientKernels.layerNormBackward(dy, nt.rows(), dim, n.w(), nt.xhat(), nt.inv(), n.prefix(), g);
    }

    /**
     * @param dQueries dLoss/dqueries {@code [T, E]} (modified)
     * @param dKeys    dLoss/dkeys {@code [HW, E]} (modified)
     * @param dKeysIn  when not null, receives dLoss/d(the transformer's input keys) {@code [HW, E]} (the image
     *                 tokens; their positional encoding is a constant)
     * @return dLoss/dpointTokens {@code [T, E]}
     */
    float[] backward(TwoWayTransformer.Tape tape, float[] dQueries, float[] dKeys, GradientSums g, float[] dKeysIn) {
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
            TwoWayTransformer.Tape.Block bt = tape.blocks()[l];
            // image tokens: LayerNorm, then keys_in + attn + bo; keys_in is the previous block's output
            normBackward(dk, bt.n4(), b.norm4(), g);
            boolean inputGrad = l > 0 || dKeysIn != null;
            float[] dIn = inputGrad ? dk.clone() : null;
            float[][] dt = b.toTokens.backward(bt.toTokens(), dk, g, dIn);
            addInPlace(dq, dt[0]);
            addInPlace(dPoint, dt[0]);
            addInPlace(dq, dt[1]);
            normBackward(dq, bt.n3(), b.norm3(), g);
            float[] dh = dq.clone();
            float[] dHidden = DecoderGradientKernels.linear(b.lin2, b.mlp + ".lin2", bt.hidden(), dh, t, g);
            DecoderGradientKernels.relu(bt.hidden(), dHidden);
            addInPlace(dq, DecoderGradientKernels.linear(b.lin1, b.mlp + ".lin1", bt.mlpIn(), dHidden, t, g));
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
        if (dKeysIn != null) {
            System.arraycopy(dk, 0, dKeysIn, 0, hw * e);
        }
        return dPoint;
    }
}

package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.ModelConfig;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Hand-written backward pass of the box-prompted mask decoder (single-mask output), the gradient
 * {@code LiteMedSam.gradientsFromEmbedding} takes from SameDiff: d/dθ of
 * {@code sum(logits * gradLogits) + sum(iou * gradIou)}, logits = mask token 0's mask, iou = IoU head
 * output 0, for the {@code mask_decoder.*} parameters, summed over the batch.
 *
 * <p>Per item: a forward pass with a tape ({@link TwoWayTransformer#forwardWithTape}, {@link MaskUpscaler#forwardWithTape},
 * hypernetwork MLP 0 and the IoU head), then the backward in reverse. Every output token takes part in
 * the transformer, so {@code mask_tokens} rows 1..3 do get gradients; the hypernetwork MLPs 1..3 do not
 * (zeros), nor do the IoU head's last-layer rows 1..3, nor the token-to-image and self attentions'
 * {@code k_proj.bias} (a constant shift of each softmax row). Weights are the snapshot of the owning
 * {@link MaskDecoder}.
 */
final class MaskDecoderGradient {

    private static final String P = "mask_decoder.";

    private final int dim;
    private final int grid;
    private final int maskTokens;
    private final PromptEncoder prompt;
    private final float[] outputTokens;
    private final TwoWayTransformer transformer;
    private final TwoWayTransformerGradient transformerGradient;
    private final MaskUpscaler upscaler;
    private final MaskUpscalerGradient upscalerGradient;
    private final Linear[] hyper0;
    private final Linear[] iouHead;
    /** Shapes of every mask_decoder.* key of the snapshot's state dict. */
    private final Map<String, long[]> shapes;

    /**
     * The backward of the decoder's layers (the same weight arrays): {@code hyper0} is hypernetwork MLP 0,
     * {@code iouHead} the IoU head's layers; {@code w} supplies the mask_decoder.* shapes.
     */
    MaskDecoderGradient(ModelConfig c, StateDictWeights w, PromptEncoder prompt, float[] outputTokens,
                            TwoWayTransformer transformer, MaskUpscaler upscaler, Linear[] hyper0,
                            Linear[] iouHead) {
        this.dim = c.promptEmbedDim();
        this.grid = c.embeddingSize();
        this.maskTokens = c.numMultimaskOutputs() + 1;
        this.prompt = prompt;
        this.outputTokens = outputTokens;
        this.transformer = transformer;
        this.transformerGradient = new TwoWayTransformerGradient(transformer);
        this.upscaler = upscaler;
        this.upscalerGradient = new MaskUpscalerGradient(upscaler);
        this.hyper0 = hyper0;
        this.iouHead = iouHead;
        this.shapes = w.shapes(P);
    }

    /**
     * @param emb       embeddings {@code [B, E, g, g]} as row-major values
     * @param box       boxes {@code [B, 4]}
     * @param gradMask  {@code [B, 1, 4g, 4g]} row-major
     * @param gradIou   {@code [B]}
     * @param wrt       mask_decoder.* keys (checked by the caller)
     */
    Map<String, INDArray> compute(float[] emb, float[] box, float[] gradMask, float[] gradIou, int batch, Set<String> wrt) {
        GradientSums g = new GradientSums();
        accumulate(emb, box, gradMask, gradIou, batch, g, null);
        return g.toArrays(wrt, shapes);
    }

    /**
     * As {@link #compute}, into {@code g}; with {@code dEmbedding} (not null) the backward continues to the
     * decoder's inputs: {@code dEmbedding} receives dLoss/dembedding {@code [B, E, g, g]} row-major, and the
     * box prompt's parameters ({@code prompt_encoder.point_embeddings.2/3.weight},
     * {@code prompt_encoder.no_mask_embed.weight}) get their gradients in {@code g}.
     */
    void accumulate(float[] emb, float[] box, float[] gradMask, float[] gradIou, int batch, GradientSums g,
                    float[] dEmbedding) {
        int e = dim;
        int hw = grid * grid;
        int t = 1 + maskTokens + 2;
        int side = 4 * grid;
        float[] pe = prompt.densePeTokens();
        float[] noMask = prompt.noMaskEmbed;
        float[] dOutputTokens = new float[outputTokens.length];
        float[] dSrc = dEmbedding == null ? null : new float[hw * e];
        for (int b = 0; b < batch; b++) {
            // ---- forward with tape
            float[] tokens = new float[t * e];
            System.arraycopy(outputTokens, 0, tokens, 0, outputTokens.length);
            prompt.sparse(box[b * 4], box[b * 4 + 1], box[b * 4 + 2], box[b * 4 + 3], tokens, outputTokens.length);
            float[] src = new float[hw * e];
            int eo = b * e * hw;
            ChunkedParallel.parallel(hw, e * 2, (from, to) -> {
                for (int p = from; p < to; p++) {
                    for (int ch = 0; ch < e; ch++) {
                        src[p * e + ch] = emb[eo + ch * hw + p] + noMask[ch];
                    }
                }
            });
            float[] srcPe = new float[hw * e];
            ChunkedParallel.add(src, pe, srcPe, hw * e);
            TwoWayTransformer.Tape tt = transformer.forwardWithTape(tokens, t, src, pe, srcPe, hw);
            float[] hs = tt.queries();
            MaskUpscaler.Tape ut = upscaler.forwardWithTape(tt.keys());
            float[][] hyperActs = mlpForward(hyper0, Arrays.copyOfRange(hs, e, 2 * e));
            float[][] iouActs = mlpForward(iouHead, Arrays.copyOf(hs, e));

            // ---- backward
            float[] dHs = new float[t * e];
            float[] dHyper = new float[e / 8];
            float[] dKeys = upscalerGradient.backward(ut, upscalerGradient.gather(gradMask, b * side * side),
                    hyperActs[hyperActs.length - 1], dHyper, g);
            float[] dTok1 = mlpBackward(hyper0, P + "output_hypernetworks_mlps.0.layers.", hyperActs, dHyper, g);
            System.arraycopy(dTok1, 0, dHs, e, e);
            float[] dIou = new float[maskTokens];
            dIou[0] = gradIou[b];
            float[] dTok0 = mlpBackward(iouHead, P + "iou_prediction_head.layers.", iouActs, dIou, g);
            System.arraycopy(dTok0, 0, dHs, 0, e);
            float[] dPoint = transformerGradient.backward(tt, dHs, dKeys, g, dSrc);
            for (int i = 0; i < outputTokens.length; i++) {
                dOutputTokens[i] += dPoint[i];
            }
            if (dEmbedding != null) {
                // src = embedding (as tokens) + no_mask_embed; the box corners = PE + point_embeddings[2], [3]
                float[] dTopLeft = g.of("prompt_encoder.point_embeddings.2.weight", e);
                float[] dBottomRight = g.of("prompt_encoder.point_embeddings.3.weight", e);
                int corner = outputTokens.length;
                for (int i = 0; i < e; i++) {
                    dTopLeft[i] += dPoint[corner + i];
                    dBottomRight[i] += dPoint[corner + e + i];
                }
                DecoderGradientKernels.columnSums(dSrc, hw, e, g.of("prompt_encoder.no_mask_embed.weight", e));
                ChunkedParallel.parallel(e, hw * 2, (from, to) -> {
                    for (int ch = from; ch < to; ch++) {
                        for (int p = 0; p < hw; p++) {
                            dEmbedding[eo + ch * hw + p] = dSrc[p * e + ch];
                        }
                    }
                });
            }
        }
        float[] dIouToken = g.of(P + "iou_token.weight", e);
        float[] dMaskTokens = g.of(P + "mask_tokens.weight", maskTokens * e);
        System.arraycopy(dOutputTokens, 0, dIouToken, 0, e);
        System.arraycopy(dOutputTokens, e, dMaskTokens, 0, maskTokens * e);
    }

    /** Whether {@code key} is a mask_decoder parameter of this snapshot. */
    boolean knows(String key) {
        return shapes.containsKey(key);
    }

    /** Activations of an MLP (ReLU between layers): {@code [input, layer 0 out, ..., last out]}. */
    private static float[][] mlpForward(Linear[] mlp, float[] x) {
        float[][] acts = new float[mlp.length + 1][];
        acts[0] = x;
        for (int l = 0; l < mlp.length; l++) {
            acts[l + 1] = mlp[l].apply(acts[l], 1, l < mlp.length - 1 ? Activation.RELU : Activation.NONE);
        }
        return acts;
    }

    /** Backward of {@link #mlpForward}: dLoss/dinput given dLoss/doutput. */
    private static float[] mlpBackward(Linear[] mlp, String prefix, float[][] acts, float[] dOut, GradientSums g) {
        float[] d = dOut;
        for (int l = mlp.length - 1; l >= 0; l--) {
            if (l < mlp.length - 1) {
                DecoderGradientKernels.relu(acts[l + 1], d);
            }
            d = DecoderGradientKernels.linear(mlp[l], prefix + l, acts[l], d, 1, g);
        }
        return d;
    }
}

package org.umedsam.model.onnx;

import onnx.Onnx.ModelProto;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.cpu.StateDictWeights;

/**
 * SAM's prompt encoder (box prompts) and mask decoder as one ONNX graph, single-mask output, for any number
 * of boxes against one image embedding: {@code image_embeddings [1, E, g, g]}, {@code boxes [N, 4]}
 * (x0 y0 x1 y1 in the S x S input frame, N dynamic) {@code -> low_res_masks [N, 1, 4g, 4g]} (logits),
 * {@code iou_predictions [N, 1]}. The same computation as {@code LiteMedSam.decode(.., false)}
 * (SameDiff {@code PromptEncoder}, {@code MaskDecoder}; the CPU engine's {@code MaskDecoder}).
 *
 * <p>The image side enters once with batch 1 and broadcasts against the N prompts: the first block's
 * projections of the image tokens are computed once, and the keys become {@code [N, g*g, E]} after the
 * first image-to-token attention, as SAM's per-box repeat of the embedding would give.
 */
final class DecoderExport {

    private static final String PE = "prompt_encoder.";
    private static final String MD = "mask_decoder.";

    private final ModelConfig c;
    private final StateDictWeights w;
    private final OnnxGraph g;
    private final int e;
    /** The Fourier matrix {@code G [2, E/2]}, one initializer for the prompts and the grid. */
    private String gaussian;

    private DecoderExport(ModelConfig c, StateDictWeights w) {
        this.c = c;
        this.w = w;
        this.g = new OnnxGraph("litemedsam_prompt_encoder_mask_decoder");
        this.e = c.promptEmbedDim();
    }

    static ModelProto build(ModelConfig c, StateDictWeights w) {
        return new DecoderExport(c, w).graph();
    }

    private ModelProto graph() {
        int grid = c.embeddingSize();
        long hw = (long) grid * grid;
        int maskTokens = c.numMultimaskOutputs() + 1;
        g.input(OnnxExport.IMAGE_EMBEDDINGS, 1, e, grid, grid);
        g.input(OnnxExport.BOXES, OnnxExport.NUM_BOXES, 4);

        // prompt encoder: two corner tokens per box, [N, 2, E]
        String corners = g.reshape(g.add(OnnxExport.BOXES, g.scalar(0.5f)), -1, 2, 2);
        corners = g.op("Div", new String[]{corners, g.scalar(c.imageSize())}); // square input: x/W and y/H alike
        String cornerEmb = g.floats(PE + "corner_embeddings", concat(w.get(PE + "point_embeddings.2.weight", 1, e),
                w.get(PE + "point_embeddings.3.weight", 1, e)), 1, 2, e);
        String sparse = g.add(fourier(corners), cornerEmb);

        // dense positional encoding of the grid cell centres, [1, g*g, E]
        float[] cells = new float[grid * grid * 2];
        for (int y = 0; y < grid; y++) {
            for (int x = 0; x < grid; x++) {
                cells[(y * grid + x) * 2] = ((float) (x + 1) - 0.5f) / grid;
                cells[(y * grid + x) * 2 + 1] = ((float) (y + 1) - 0.5f) / grid;
            }
        }
        String imagePe = fourier(g.floats(PE + "grid_cells", cells, 1, hw, 2));

        // tokens [N, 1 + M + 2, E]: IoU token, mask tokens (broadcast over the boxes), box corners
        String outTokens = g.floats(MD + "output_tokens", concat(w.get(MD + "iou_token.weight", 1, e),
                w.get(MD + "mask_tokens.weight", maskTokens, e)), 1, 1 + maskTokens, e);
        String n = g.op("Shape", new String[]{OnnxExport.BOXES}, "start", 0L, "end", 1L);
        String expandTo = g.op("Concat", new String[]{n, g.longs(1, 1)}, "axis", 0L);
        String tokens = g.op("Concat", new String[]{g.op("Expand", new String[]{outTokens, expandTo}), sparse}, "axis", 1L);

        // image tokens: embedding + no_mask_embed, [1, g*g, E]
        String dense = g.floats(PE + "no_mask_embed", w.get(PE + "no_mask_embed.weight", 1, e), 1, e, 1, 1);
        String src = g.add(OnnxExport.IMAGE_EMBEDDINGS, dense);
        String keys = g.transpose(g.reshape(src, 0, e, hw), 0, 2, 1);

        String[] qk = transformer(tokens, keys, imagePe);
        String hs = qk[0];
        String map = g.reshape(g.transpose(qk[1], 0, 2, 1), -1, e, grid, grid);

        // up-scaling: ConvTranspose 2x2/2, LayerNorm2d, GELU, ConvTranspose 2x2/2, GELU -> [N, E/8, 4g, 4g]
        String up = convTranspose(map, MD + "output_upscaling.0", e, e / 4);
        up = g.gelu(g.layerNorm2d(up, MD + "output_upscaling.1", w.get(MD + "output_upscaling.1.weight", e / 4),
                w.get(MD + "output_upscaling.1.bias", e / 4), ModelConfig.LN2D_EPS));
        up = g.gelu(convTranspose(up, MD + "output_upscaling.3", e / 4, e / 8));
        long side = 4L * grid;
        String upFlat = g.reshape(up, 0, e / 8, side * side);

        // single-mask output: mask token 0 (token 1 of hs) through its hypernetwork MLP
        String tok = g.reshape(g.slice(hs, 1, 1, 2), -1, e);
        String hyper = mlp(tok, MD + "output_hypernetworks_mlps.0", new int[]{e, e, e, e / 8});
        String masks = g.matMul(g.reshape(hyper, -1, 1, e / 8), upFlat); // [N, 1, side*side]
        g.named(g.reshape(masks, -1, 1, side, side), OnnxExport.LOW_RES_MASKS);

        int[] iouWidths = new int[c.iouHeadDepth() + 1];
        iouWidths[0] = e;
        for (int l = 1; l < c.iouHeadDepth(); l++) {
            iouWidths[l] = c.iouHeadHiddenDim();
        }
        iouWidths[c.iouHeadDepth()] = maskTokens;
        String iouTok = g.reshape(g.slice(hs, 1, 0, 1), -1, e);
        String iou = mlp(iouTok, MD + "iou_prediction_head", iouWidths);
        g.named(g.slice(iou, 1, 0, 1), OnnxExport.IOU_PREDICTIONS);

        g.output(OnnxExport.LOW_RES_MASKS, OnnxExport.NUM_BOXES, 1, side, side);
        g.output(OnnxExport.IOU_PREDICTIONS, OnnxExport.NUM_BOXES, 1);
        return g.model("LiteMedSAM prompt encoder + mask decoder, single-mask output: image_embeddings [1, " + e
                + ", " + grid + ", " + grid + "], boxes [num_boxes, 4] (x0 y0 x1 y1 in the " + c.imageSize() + " x "
                + c.imageSize() + " input frame) -> low_res_masks [num_boxes, 1, " + side + ", " + side
                + "] (logits), iou_predictions [num_boxes, 1]");
    }

    /** Random Fourier features of coords in [0, 1]: {@code [.., 2] -> [.., E]} = [sin, cos](2 pi (2c - 1) G). */
    private String fourier(String coords01) {
        String cc = g.op("Sub", new String[]{g.mul(coords01, g.scalar(2f)), g.scalar(1f)});
        if (gaussian == null) {
            String key = PE + "pe_layer.positional_encoding_gaussian_matrix";
            gaussian = g.floats(key, w.get(key, 2, e / 2), 2, e / 2);
        }
        cc = g.mul(g.matMul(cc, gaussian), g.scalar((float) (2 * Math.PI)));
        return g.op("Concat", new String[]{g.op("Sin", new String[]{cc}), g.op("Cos", new String[]{cc})}, "axis", -1L);
    }

    /** SAM's two-way transformer; returns {queries [N, T, E], keys [N, g*g, E]}. */
    private String[] transformer(String pointTokens, String imageTokens, String imagePe) {
        int internal = e / c.attentionDownsample();
        String p = MD + "transformer.";
        String queries = pointTokens;
        String keys = imageTokens;
        for (int l = 0; l < c.transformerDepth(); l++) {
            String b = p + "layers." + l;
            if (l == 0) {
                queries = attention(b + ".self_attn", queries, queries, queries, e);
            } else {
                String q = g.add(queries, pointTokens);
                queries = g.add(queries, attention(b + ".self_attn", q, q, queries, e));
            }
            queries = norm(queries, b + ".norm1");
            String q = g.add(queries, pointTokens);
            String k = g.add(keys, imagePe);
            queries = norm(g.add(queries, attention(b + ".cross_attn_token_to_image", q, k, keys, internal)), b + ".norm2");
            String h = mlp(queries, b + ".mlp", new int[]{e, c.transformerMlpDim(), e}, "lin1", "lin2");
            queries = norm(g.add(queries, h), b + ".norm3");
            q = g.add(queries, pointTokens);
            k = g.add(keys, imagePe);
            keys = norm(g.add(keys, attention(b + ".cross_attn_image_to_token", k, q, queries, internal)), b + ".norm4");
        }
        String q = g.add(queries, pointTokens);
        String k = g.add(keys, imagePe);
        queries = norm(g.add(queries, attention(p + "final_attn_token_to_image", q, k, keys, internal)), p + "norm_final_attn");
        return new String[]{queries, keys};
    }

    /** SAM attention: projections to {@code internal}, heads, softmax(q k^T / sqrt(d)) v, output projection. */
    private String attention(String prefix, String q, String k, String v, int internal) {
        int heads = c.transformerHeads();
        long ch = internal / heads;
        String qh = heads(linear(q, prefix + ".q_proj", e, internal), heads, ch);
        String kh = heads(linear(k, prefix + ".k_proj", e, internal), heads, ch);
        String vh = heads(linear(v, prefix + ".v_proj", e, internal), heads, ch);
        String attn = g.matMul(qh, g.transpose(kh, 0, 1, 3, 2));
        attn = g.softmaxLast(g.op("Div", new String[]{attn, g.scalar((float) Math.sqrt(ch))}));
        String o = g.transpose(g.matMul(attn, vh), 0, 2, 1, 3); // [B, Nq, heads, ch]
        return linear(g.reshape(o, 0, 0, internal), prefix + ".out_proj", internal, e);
    }

    /** {@code [B, n, heads * ch] -> [B, heads, n, ch]}. */
    private String heads(String x, int heads, long ch) {
        return g.transpose(g.reshape(x, 0, 0, heads, ch), 0, 2, 1, 3);
    }

    private String norm(String x, String prefix) {
        return g.layerNorm(x, prefix, w.get(prefix + ".weight", e), w.get(prefix + ".bias", e), ModelConfig.LN_EPS);
    }

    /** SAM's MLP ({@code prefix.layers.l}): Linear layers of the given widths, ReLU between them. */
    private String mlp(String x, String prefix, int[] widths) {
        String[] names = new String[widths.length - 1];
        for (int l = 0; l < names.length; l++) {
            names[l] = "layers." + l;
        }
        return mlp(x, prefix, widths, names);
    }

    private String mlp(String x, String prefix, int[] widths, String... layers) {
        for (int l = 0; l < layers.length; l++) {
            x = linear(x, prefix + "." + layers[l], widths[l], widths[l + 1]);
            if (l < layers.length - 1) {
                x = g.relu(x);
            }
        }
        return x;
    }

    private String linear(String x, String prefix, int in, int out) {
        return g.linear(x, prefix, w.get(prefix + ".weight", out, in), w.get(prefix + ".bias", out), in, out);
    }

    /** Transposed 2x2 convolution, stride 2; PyTorch's weight {@code [in, out, 2, 2]} is ONNX's layout too. */
    private String convTranspose(String x, String prefix, int in, int out) {
        String wt = g.floats(prefix + ".weight", w.get(prefix + ".weight", in, out, 2, 2), in, out, 2, 2);
        String b = g.floats(prefix + ".bias", w.get(prefix + ".bias", out), out);
        return g.op("ConvTranspose", new String[]{x, wt, b}, "kernel_shape", new long[]{2, 2}, "strides", new long[]{2, 2});
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package org.umedsam.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.io.StateDictProblems;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.umedsam.model.ParamSpec.Init.*;

/**
 * The upstream LiteMedSAM state-dict layout for a {@link ModelConfig}: every key in PyTorch's
 * module-registration order with its PyTorch shape. Our variables carry exactly these names and
 * shapes (convolution weights stay {@code [oC, iC, kH, kW]} and are permuted inside the graph), so the
 * mapping between a {@code .pth} and the model is the identity on names; this class checks it.
 */
public final class WeightMapping {

    private WeightMapping() {
    }

    /** All state-dict entries for {@code c}, in upstream order (image encoder, mask decoder, prompt encoder). */
    public static List<ParamSpec> layout(ModelConfig c) {
        List<ParamSpec> out = new ArrayList<>();
        String ie = "image_encoder.";
        int[] d = c.embedDims();
        convBn(out, ie + "patch_embed.seq.0", 3, d[0] / 2, 1, false, false);
        convBn(out, ie + "patch_embed.seq.2", d[0] / 2, d[0], 1, false, false);
        for (int j = 0; j < c.depths()[0]; j++) {
            String p = ie + "layers.0.blocks." + j;
            int hidden = d[0] * c.mbconvExpandRatio();
            convBn(out, p + ".conv1", d[0], hidden, 1, false, false);
            convBn(out, p + ".conv2", hidden, hidden, 3, true, false);
            convBn(out, p + ".conv3", hidden, d[0], 1, false, true);
        }
        patchMerging(out, ie + "layers.0.downsample", d[0], d[1]);
        for (int i = 1; i < 4; i++) {
            int dim = d[i];
            int heads = c.numHeads()[i];
            int ws = c.windowSizes()[i];
            for (int j = 0; j < c.depths()[i]; j++) {
                String p = ie + "layers." + i + ".blocks." + j;
                out.add(new ParamSpec(p + ".attn.attention_biases", new long[]{heads, (long) ws * ws}, ZEROS, 1));
                norm(out, p + ".attn.norm", dim);
                linear(out, p + ".attn.qkv", dim, 3L * dim, true);
                linear(out, p + ".attn.proj", dim, dim, true);
                norm(out, p + ".mlp.norm", dim);
                linear(out, p + ".mlp.fc1", dim, (long) dim * c.mlpRatio(), true);
                linear(out, p + ".mlp.fc2", (long) dim * c.mlpRatio(), dim, true);
                convBn(out, p + ".local_conv", dim, dim, 3, true, false);
            }
            if (i < 3) {
                patchMerging(out, ie + "layers." + i + ".downsample", dim, d[i + 1]);
            }
        }
        int e = c.promptEmbedDim();
        out.add(new ParamSpec(ie + "neck.0.weight", new long[]{e, d[3], 1, 1}, UNIFORM_FAN_IN, d[3]));
        norm(out, ie + "neck.1", e);
        out.add(new ParamSpec(ie + "neck.2.weight", new long[]{e, e, 3, 3}, UNIFORM_FAN_IN, 9L * e));
        norm(out, ie + "neck.3", e);

        String md = "mask_decoder.";
        String tr = md + "transformer.";
        int internal = e / c.attentionDownsample();
        for (int k = 0; k < c.transformerDepth(); k++) {
            String p = tr + "layers." + k;
            samAttention(out, p + ".self_attn", e, e);
            norm(out, p + ".norm1", e);
            samAttention(out, p + ".cross_attn_token_to_image", e, internal);
            norm(out, p + ".norm2", e);
            linear(out, p + ".mlp.lin1", e, c.transformerMlpDim(), false);
            linear(out, p + ".mlp.lin2", c.transformerMlpDim(), e, false);
            norm(out, p + ".norm3", e);
            norm(out, p + ".norm4", e);
            samAttention(out, p + ".cross_attn_image_to_token", e, internal);
        }
        samAttention(out, tr + "final_attn_token_to_image", e, internal);
        norm(out, tr + "norm_final_attn", e);
        int tokens = c.numMultimaskOutputs() + 1;
        out.add(new ParamSpec(md + "iou_token.weight", new long[]{1, e}, NORMAL, 1));
        out.add(new ParamSpec(md + "mask_tokens.weight", new long[]{tokens, e}, NORMAL, 1));
        // ConvTranspose2d weight [iC, oC, kH, kW]; PyTorch's fan-in for it is weight.size(1) * k * k
        out.add(new ParamSpec(md + "output_upscaling.0.weight", new long[]{e, e / 4, 2, 2}, UNIFORM_FAN_IN, (e / 4) * 4L));
        out.add(new ParamSpec(md + "output_upscaling.0.bias", new long[]{e / 4}, UNIFORM_FAN_IN, (e / 4) * 4L));
        norm(out, md + "output_upscaling.1", e / 4);
        out.add(new ParamSpec(md + "output_upscaling.3.weight", new long[]{e / 4, e / 8, 2, 2}, UNIFORM_FAN_IN, (e / 8) * 4L));
        out.add(new ParamSpec(md + "output_upscaling.3.bias", new long[]{e / 8}, UNIFORM_FAN_IN, (e / 8) * 4L));
        for (int t = 0; t < tokens; t++) {
            mlp(out, md + "output_hypernetworks_mlps." + t, e, e, e / 8, 3);
        }
        mlp(out, md + "iou_prediction_head", e, c.iouHeadHiddenDim(), tokens, c.iouHeadDepth());

        String pe = "prompt_encoder.";
        out.add(new ParamSpec(pe + "pe_layer.positional_encoding_gaussian_matrix", new long[]{2, e / 2}, GAUSSIAN_BUFFER, 1));
        for (int k = 0; k < 4; k++) {
            out.add(new ParamSpec(pe + "point_embeddings." + k + ".weight", new long[]{1, e}, NORMAL, 1));
        }
        out.add(new ParamSpec(pe + "not_a_point_embed.weight", new long[]{1, e}, NORMAL, 1));
        int maskIn = 16; // SAM's mask_in_chans
        out.add(new ParamSpec(pe + "mask_downscaling.0.weight", new long[]{maskIn / 4, 1, 2, 2}, UNIFORM_FAN_IN, 4));
        out.add(new ParamSpec(pe + "mask_downscaling.0.bias", new long[]{maskIn / 4}, UNIFORM_FAN_IN, 4));
        norm(out, pe + "mask_downscaling.1", maskIn / 4);
        out.add(new ParamSpec(pe + "mask_downscaling.3.weight", new long[]{maskIn, maskIn / 4, 2, 2}, UNIFORM_FAN_IN, maskIn));
        out.add(new ParamSpec(pe + "mask_downscaling.3.bias", new long[]{maskIn}, UNIFORM_FAN_IN, maskIn));
        norm(out, pe + "mask_downscaling.4", maskIn);
        out.add(new ParamSpec(pe + "mask_downscaling.6.weight", new long[]{e, maskIn, 1, 1}, UNIFORM_FAN_IN, maskIn));
        out.add(new ParamSpec(pe + "mask_downscaling.6.bias", new long[]{e}, UNIFORM_FAN_IN, maskIn));
        out.add(new ParamSpec(pe + "no_mask_embed.weight", new long[]{1, e}, NORMAL, 1));
        return out;
    }

    /** Sum of trainable parameter elements (upstream's {@code sum(p.numel() for p in model.parameters())}). */
    public static long parameterCount(ModelConfig c) {
        return layout(c).stream().filter(ParamSpec::trainable).mapToLong(ParamSpec::numel).sum();
    }

    /**
     * Checks a state dict against the layout: every key present, none extra, shapes equal. The error
     * names each offending key.
     *
     * @param source where the state dict came from, for the message
     */
    public static void check(ModelConfig c, Map<String, INDArray> stateDict, String source) {
        Map<String, ParamSpec> expected = new LinkedHashMap<>();
        for (ParamSpec s : layout(c)) {
            expected.put(s.key(), s);
        }
        List<String> problems = new ArrayList<>();
        Set<String> missing = new LinkedHashSet<>(expected.keySet());
        missing.removeAll(stateDict.keySet());
        for (String k : missing) {
            problems.add("missing key " + k);
        }
        for (Map.Entry<String, INDArray> en : stateDict.entrySet()) {
            ParamSpec s = expected.get(en.getKey());
            if (s == null) {
                problems.add("unexpected key " + en.getKey());
                continue;
            }
            long[] shape = en.getValue().shape();
            if (!Arrays.equals(shape, s.shape()) && !(s.shape().length == 0 && en.getValue().length() == 1)) {
                problems.add("key " + en.getKey() + " has shape " + Arrays.toString(shape) + ", expected "
                        + Arrays.toString(s.shape()));
            }
            DataType dt = en.getValue().dataType();
            if (s.init() == BATCH_COUNT ? !dt.isIntType() : !dt.isFPType()) {
                problems.add("key " + en.getKey() + " has type " + dt);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(new StateDictProblems(problems).message(source, c.toString(), 40));
        }
    }

    private static void convBn(List<ParamSpec> out, String p, int in, int outCh, int k, boolean depthwise, boolean zeroGamma) {
        long fanIn = (depthwise ? 1L : in) * k * k;
        out.add(new ParamSpec(p + ".c.weight", new long[]{outCh, depthwise ? 1 : in, k, k}, UNIFORM_FAN_IN, fanIn));
        out.add(new ParamSpec(p + ".bn.weight", new long[]{outCh}, zeroGamma ? ZEROS : ONES, 1));
        out.add(new ParamSpec(p + ".bn.bias", new long[]{outCh}, ZEROS, 1));
        out.add(new ParamSpec(p + ".bn.running_mean", new long[]{outCh}, RUNNING_MEAN, 1));
        out.add(new ParamSpec(p + ".bn.running_var", new long[]{outCh}, RUNNING_VAR, 1));
        out.add(new ParamSpec(p + ".bn.num_batches_tracked", new long[]{}, BATCH_COUNT, 1));
    }

    private static void patchMerging(List<ParamSpec> out, String p, int dim, int outDim) {
        convBn(out, p + ".conv1", dim, outDim, 1, false, false);
        convBn(out, p + ".conv2", outDim, outDim, 3, true, false);
        convBn(out, p + ".conv3", outDim, outDim, 1, false, false);
    }

    private static void norm(List<ParamSpec> out, String p, long dim) {
        out.add(new ParamSpec(p + ".weight", new long[]{dim}, ONES, 1));
        out.add(new ParamSpec(p + ".bias", new long[]{dim}, ZEROS, 1));
    }

    /** TinyViT linears use trunc-normal(0.02) weights and zero bias; SAM's keep PyTorch's default. */
    private static void linear(List<ParamSpec> out, String p, long in, long outDim, boolean tinyVit) {
        out.add(new ParamSpec(p + ".weight", new long[]{outDim, in}, tinyVit ? TRUNC_NORMAL_002 : UNIFORM_FAN_IN, in));
        out.add(new ParamSpec(p + ".bias", new long[]{outDim}, tinyVit ? ZEROS : UNIFORM_FAN_IN, in));
    }

    private static void samAttention(List<ParamSpec> out, String p, int dim, int internal) {
        linear(out, p + ".q_proj", dim, internal, false);
        linear(out, p + ".k_proj", dim, internal, false);
        linear(out, p + ".v_proj", dim, internal, false);
        linear(out, p + ".out_proj", internal, dim, false);
    }

    private static void mlp(List<ParamSpec> out, String p, int in, int hidden, int outDim, int depth) {
        for (int l = 0; l < depth; l++) {
            int a = l == 0 ? in : hidden;
            int b = l == depth - 1 ? outDim : hidden;
            linear(out, p + ".layers." + l, a, b, false);
        }
    }
}

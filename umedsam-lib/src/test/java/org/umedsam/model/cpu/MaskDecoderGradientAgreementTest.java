package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MaskDecoder#gradients} (float) agrees with SameDiff's {@code LiteMedSam.gradientsFromEmbedding}
 * computed in double precision, for every mask_decoder.* key. Error per key: max |cpu - ref| over
 * max(max |ref|, 1e-4 max over all keys of |ref|): the floor is for the k_proj biases, whose gradient is zero
 * analytically (a bias of the keys shifts a whole softmax row) and float rounding noise in both engines.
 */
class MaskDecoderGradientAgreementTest {

    static final double BAR = 1e-3;

    @Test
    void smallPresetBatchTwoEveryDecoderKey() {
        ModelConfig c = ModelConfig.small();
        long seed = 21L;
        LiteMedSam f32 = LiteMedSam.create(c, seed);
        LiteMedSam f64 = LiteMedSam.create(c, seed, DataType.DOUBLE);
        Set<String> keys = decoderKeys(f32);
        Inputs in = Inputs.random(c, 2, 5L);
        MaskDecoder cpu = MaskDecoder.of(c, f32.stateDict());
        Map<String, INDArray> got = cpu.gradients(in.emb, in.boxes, in.gradLogits, in.gradIou, keys);
        Map<String, INDArray> ref = f64.gradientsFromEmbedding(in.emb.castTo(DataType.DOUBLE), in.boxes.castTo(DataType.DOUBLE),
                in.gradLogits.castTo(DataType.DOUBLE), in.gradIou.castTo(DataType.DOUBLE), keys);
        Map<String, INDArray> sdFloat = f32.gradientsFromEmbedding(in.emb, in.boxes, in.gradLogits, in.gradIou, keys);
        assertThat(got.keySet()).containsExactlyElementsOf(keys);
        double worst = compareAll("small B=2", got, ref, sdFloat);
        assertThat(worst).isLessThanOrEqualTo(BAR);
    }

    @Test
    void liteMedSamPresetBatchOneSomeKeys() {
        ModelConfig c = ModelConfig.liteMedSam();
        long seed = 4L;
        LiteMedSam f32 = LiteMedSam.create(c, seed);
        LiteMedSam f64 = LiteMedSam.create(c, seed, DataType.DOUBLE);
        Set<String> keys = new LinkedHashSet<>(List.of(
                "mask_decoder.iou_token.weight", "mask_decoder.mask_tokens.weight",
                "mask_decoder.transformer.layers.0.self_attn.q_proj.weight",
                "mask_decoder.transformer.layers.0.cross_attn_token_to_image.k_proj.weight",
                "mask_decoder.transformer.layers.1.cross_attn_image_to_token.q_proj.bias",
                "mask_decoder.transformer.layers.1.mlp.lin1.weight",
                "mask_decoder.transformer.layers.1.norm4.weight",
                "mask_decoder.transformer.final_attn_token_to_image.v_proj.weight",
                "mask_decoder.transformer.norm_final_attn.bias",
                "mask_decoder.output_upscaling.0.weight", "mask_decoder.output_upscaling.1.weight",
                "mask_decoder.output_upscaling.3.bias",
                "mask_decoder.output_hypernetworks_mlps.0.layers.2.weight",
                "mask_decoder.output_hypernetworks_mlps.2.layers.0.weight",
                "mask_decoder.iou_prediction_head.layers.2.weight"));
        Inputs in = Inputs.random(c, 1, 9L);
        Map<String, INDArray> got = MaskDecoder.of(c, f32.stateDict()).gradients(in.emb, in.boxes, in.gradLogits, in.gradIou, keys);
        Map<String, INDArray> ref = f64.gradientsFromEmbedding(in.emb.castTo(DataType.DOUBLE), in.boxes.castTo(DataType.DOUBLE),
                in.gradLogits.castTo(DataType.DOUBLE), in.gradIou.castTo(DataType.DOUBLE), keys);
        double worst = compareAll("liteMedSam B=1", got, ref, null);
        assertThat(worst).isLessThanOrEqualTo(BAR);
    }

    static Set<String> decoderKeys(LiteMedSam m) {
        Set<String> keys = new LinkedHashSet<>();
        for (String k : m.stateDict().keySet()) {
            if (k.startsWith("mask_decoder.")) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** Prints the error of every key (and SameDiff float's, when given); returns the worst CPU error. */
    static double compareAll(String what, Map<String, INDArray> got, Map<String, INDArray> ref, Map<String, INDArray> sdFloat) {
        double global = 0;
        for (INDArray r : ref.values()) {
            global = Math.max(global, r.amaxNumber().doubleValue());
        }
        double worst = 0;
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, INDArray> en : ref.entrySet()) {
            INDArray r = en.getValue();
            INDArray gk = got.get(en.getKey());
            assertThat(gk.shape()).as(en.getKey()).isEqualTo(r.shape());
            assertThat(gk.dataType()).isEqualTo(DataType.FLOAT);
            double denom = Math.max(r.amaxNumber().doubleValue(), 1e-4 * global);
            double err = gk.castTo(DataType.DOUBLE).sub(r).amaxNumber().doubleValue() / denom;
            String line = String.format("%-75s max|ref| %.3e  cpu err %.2e", en.getKey(), r.amaxNumber().doubleValue(), err);
            if (sdFloat != null) {
                line += String.format("  samediff-float err %.2e",
                        sdFloat.get(en.getKey()).castTo(DataType.DOUBLE).sub(r).amaxNumber().doubleValue() / denom);
            }
            lines.add(line);
            worst = Math.max(worst, err);
        }
        System.out.println("GRAD " + what + ": worst relative error " + String.format("%.2e", worst) + " over " + ref.size() + " keys");
        lines.forEach(l -> System.out.println("GRAD   " + l));
        return worst;
    }

    /** Random decoder inputs: embeddings, boxes, mask and IoU gradients. */
    record Inputs(INDArray emb, INDArray boxes, INDArray gradLogits, INDArray gradIou) {
        static Inputs random(ModelConfig c, int b, long seed) {
            Nd4j.getRandom().setSeed(seed);
            int g = c.embeddingSize();
            INDArray emb = Nd4j.randn(DataType.FLOAT, b, c.promptEmbedDim(), g, g);
            float[][] bx = new float[b][];
            java.util.Random r = new java.util.Random(seed);
            for (int i = 0; i < b; i++) {
                float x0 = r.nextInt(120);
                float y0 = r.nextInt(120);
                bx[i] = new float[]{x0, y0, x0 + 20 + r.nextInt(110), y0 + 20 + r.nextInt(110)};
            }
            INDArray gl = Nd4j.randn(DataType.FLOAT, b, 1, c.maskSize(), c.maskSize()).muli(1e-3);
            INDArray gi = Nd4j.randn(DataType.FLOAT, b, 1);
            return new Inputs(emb, Nd4j.createFromArray(bx), gl, gi);
        }
    }
}

package org.umedsam.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.PthCheckpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The training contract on a tiny random configuration in double precision: finite-difference checks
 * of the surrogate gradients (training-mode and evaluation-mode BatchNorm, decoder-only), live
 * parameter arrays, BatchNorm running-statistics updates, state dict errors, save/load and .pth export.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiteMedSamTrainingTest {

    /** 32x32 input (8x8 embedding grid); stage 1 at 16x16 with window 7 exercises the window padding. */
    static ModelConfig tiny() {
        return new ModelConfig(32, new int[]{8, 16, 16, 32}, new int[]{1, 1, 1, 1}, new int[]{1, 2, 2, 2},
                new int[]{7, 7, 7, 7}, new int[]{2, 2, 1}, 2, 2, 32, 2, 48, 2, 2, 3, 3, 16);
    }

    LiteMedSam model;
    INDArray images;
    INDArray boxes;
    INDArray gradLogits;
    INDArray gradIou;

    @BeforeAll
    void setUp() {
        model = LiteMedSam.create(tiny(), 7L, DataType.DOUBLE);
        // perturb every parameter and buffer so no gradient path is trivially zero (e.g. MBConv's gamma=0)
        Random r = new Random(11);
        for (Map.Entry<String, INDArray> e : model.parameters().entrySet()) {
            e.getValue().addi(Nd4j.randn(r.nextLong(), e.getValue().shape()).castTo(DataType.DOUBLE).muli(0.1));
        }
        for (Map.Entry<String, INDArray> e : model.buffers().entrySet()) {
            if (e.getKey().endsWith("running_var")) {
                e.getValue().assign(Nd4j.rand(DataType.DOUBLE, e.getValue().shape()).addi(0.5));
            } else if (e.getKey().endsWith("running_mean")) {
                e.getValue().assign(Nd4j.randn(r.nextLong(), e.getValue().shape()).castTo(DataType.DOUBLE).muli(0.1));
            }
        }
        images = Nd4j.rand(DataType.DOUBLE, 2, 3, 32, 32);
        boxes = Nd4j.createFromArray(new double[][]{{3, 4, 20, 25}, {10, 2, 30, 14}});
        gradLogits = Nd4j.randn(DataType.DOUBLE, 2, 1, 32, 32);
        gradIou = Nd4j.createFromArray(new double[][]{{0.7}, {-1.3}});
    }

    double surrogate(ModelOutput out) {
        return out.lowResLogits().mul(gradLogits).sumNumber().doubleValue() + out.iou().mul(gradIou).sumNumber().doubleValue();
    }

    /** One parameter per kind of op path: conv+BN, depthwise, bias table, qkv, neck, prompt, transformer, upscaling, IoU head. */
    static final List<String> CHECKED = List.of(
            "image_encoder.patch_embed.seq.0.c.weight",
            "image_encoder.layers.0.blocks.0.conv2.bn.weight",
            "image_encoder.layers.1.blocks.0.attn.attention_biases",
            "image_encoder.layers.1.blocks.0.attn.qkv.weight",
            "image_encoder.layers.2.downsample.conv2.c.weight",
            "image_encoder.neck.3.bias",
            "prompt_encoder.point_embeddings.2.weight",
            "mask_decoder.transformer.layers.0.cross_attn_image_to_token.v_proj.weight",
            "mask_decoder.output_upscaling.0.weight",
            "mask_decoder.iou_prediction_head.layers.0.weight");

    /**
     * Central differences on one random element of each checked parameter; returns the worst error
     * |numeric - analytic| / max(|numeric| + |analytic|, 1e-3) (the floor keeps round-off on tiny
     * gradients from counting as relative error).
     */
    double fdCheck(Map<String, INDArray> grads, java.util.function.DoubleSupplier f, List<String> names) {
        Random r = new Random(3);
        double eps = 1e-6;
        double worst = 0;
        for (String k : names) {
            INDArray p = model.parameters().get(k);
            INDArray flat = p.reshape(p.length());
            INDArray g = grads.get(k).reshape(p.length());
            for (int t = 0; t < 1; t++) {
                long i = r.nextInt((int) p.length());
                double orig = flat.getDouble(i);
                flat.putScalar(i, orig + eps);
                double up = f.getAsDouble();
                flat.putScalar(i, orig - eps);
                double down = f.getAsDouble();
                flat.putScalar(i, orig);
                double numeric = (up - down) / (2 * eps);
                double analytic = g.getDouble(i);
                double rel = Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
                System.out.printf("FD %-75s [%d] analytic % .6e numeric % .6e rel %.2e%n", k, i, analytic, numeric, rel);
                worst = Math.max(worst, rel);
            }
        }
        return worst;
    }

    @Test
    void gradientsTrainingModeMatchFiniteDifferences() {
        Map<String, INDArray> g = model.gradients(images, boxes, gradLogits, gradIou, true, new LinkedHashSet<>(CHECKED));
        assertThat(g.keySet()).containsExactlyElementsOf(CHECKED);
        double worst = fdCheck(g, () -> surrogate(model.forward(images, boxes, true)), CHECKED);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void gradientsEvalModeMatchFiniteDifferences() {
        List<String> names = List.of(CHECKED.get(1), CHECKED.get(4));
        Map<String, INDArray> g = model.gradients(images, boxes, gradLogits, gradIou, false, new LinkedHashSet<>(names));
        double worst = fdCheck(g, () -> surrogate(model.forward(images, boxes, false)), names);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void decoderOnlyGradientsMatchFiniteDifferences() {
        INDArray emb = model.embed(images);
        List<String> names = List.of(CHECKED.get(6), CHECKED.get(7), CHECKED.get(8));
        Map<String, INDArray> g = model.gradientsFromEmbedding(emb, boxes, gradLogits, gradIou, new LinkedHashSet<>(names));
        double worst = fdCheck(g, () -> surrogate(model.forwardFromEmbedding(emb, boxes)), names);
        assertThat(worst).isLessThan(1e-4);
        assertThatThrownBy(() -> model.gradientsFromEmbedding(emb, boxes, gradLogits, gradIou, Set.of(CHECKED.get(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(CHECKED.get(0));
    }

    @Test
    void unusedPromptParametersGetZeroGradient() {
        Map<String, INDArray> g = model.gradients(images, boxes, gradLogits, gradIou, true,
                Set.of("prompt_encoder.mask_downscaling.0.weight", "prompt_encoder.point_embeddings.0.weight"));
        assertThat(g.get("prompt_encoder.mask_downscaling.0.weight").shape()).containsExactly(4, 1, 2, 2);
        assertThat(g.values()).allSatisfy(a -> assertThat(a.amaxNumber().doubleValue()).isZero());
    }

    @Test
    void parameterArraysAreLiveAcrossGraphs() {
        String k = "mask_decoder.iou_prediction_head.layers.2.bias";
        double before = model.forward(images, boxes, false).iou().getDouble(0, 0);
        double beforeTrain = model.forward(images, boxes, true).iou().getDouble(0, 0);
        model.parameters().get(k).addi(0.25);
        try {
            assertThat(model.forward(images, boxes, false).iou().getDouble(0, 0)).isCloseTo(before + 0.25, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(model.forward(images, boxes, true).iou().getDouble(0, 0)).isCloseTo(beforeTrain + 0.25, org.assertj.core.data.Offset.offset(1e-9));
            Prediction p = model.decode(model.embed(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))),
                    boxes.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)), false);
            assertThat(p.iou().getDouble(0, 0)).isCloseTo(before + 0.25, org.assertj.core.data.Offset.offset(1e-9));
        } finally {
            model.parameters().get(k).subi(0.25);
        }
    }

    @Test
    void batchNormStatisticsFollowPyTorch() {
        LiteMedSam m = LiteMedSam.create(tiny(), 5L, DataType.DOUBLE);
        ModelOutput out = m.forward(images, boxes, true);
        assertThat(out.batchNormStatistics()).hasSize((int) m.buffers().keySet().stream().filter(s -> s.endsWith("running_mean")).count());
        ModelOutput.BatchNormStatistics first = out.batchNormStatistics().get(0);
        assertThat(first.prefix()).isEqualTo("image_encoder.patch_embed.seq.0.bn");
        // independent computation: 1x1 conv of the images, then per-channel mean / biased variance
        INDArray w = m.parameters().get("image_encoder.patch_embed.seq.0.c.weight").reshape(4, 3);
        INDArray x = images.permute(1, 0, 2, 3).dup().reshape(3, 2 * 32 * 32);
        INDArray y = w.mmul(x);
        INDArray mean = y.mean(1);
        INDArray var = y.var(false, 1);
        assertThat(first.count()).isEqualTo(2 * 32 * 32);
        assertThat(first.mean().sub(mean).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(first.variance().sub(var).amaxNumber().doubleValue()).isLessThan(1e-12);
        INDArray rmBefore = m.buffers().get(first.prefix() + ".running_mean").dup();
        INDArray rvBefore = m.buffers().get(first.prefix() + ".running_var").dup();
        m.applyBatchNormStatistics(out, 0.1);
        INDArray rm = m.buffers().get(first.prefix() + ".running_mean");
        INDArray rv = m.buffers().get(first.prefix() + ".running_var");
        assertThat(rm.sub(rmBefore.mul(0.9).add(mean.mul(0.1))).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(rv.sub(rvBefore.mul(0.9).add(y.var(true, 1).mul(0.1))).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(m.buffers().get(first.prefix() + ".num_batches_tracked").getLong(0)).isEqualTo(1L);
        // evaluation mode now uses the updated running statistics: same output as a fresh model loaded from the state dict
        LiteMedSam fresh = LiteMedSam.create(tiny(), 99L, DataType.DOUBLE);
        fresh.loadStateDict(m.stateDict());
        INDArray a = m.forward(images, boxes, false).lowResLogits();
        assertThat(a.sub(fresh.forward(images, boxes, false).lowResLogits()).amaxNumber().doubleValue()).isLessThan(1e-12);
        // and forward(eval) equals embed + forwardFromEmbedding
        assertThat(a.sub(m.forwardFromEmbedding(m.embed(images), boxes).lowResLogits()).amaxNumber().doubleValue()).isZero();
    }

    @Test
    void stateDictErrorsNameTheKeys() {
        LiteMedSam m = LiteMedSam.create(tiny(), 1L);
        Map<String, INDArray> sd = new LinkedHashMap<>(m.stateDict());
        sd.remove("mask_decoder.iou_token.weight");
        sd.put("mask_decoder.extra.weight", Nd4j.zeros(2));
        sd.put("image_encoder.neck.1.weight", Nd4j.zeros(DataType.FLOAT, 31));
        assertThatThrownBy(() -> m.loadStateDict(sd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing key mask_decoder.iou_token.weight")
                .hasMessageContaining("unexpected key mask_decoder.extra.weight")
                .hasMessageContaining("image_encoder.neck.1.weight has shape [31], expected [32]");
    }

    @Test
    void saveLoadAndPthExportRoundTrip(@TempDir Path dir) throws Exception {
        LiteMedSam m = LiteMedSam.create(tiny(), 9L);
        m.parameters().get("mask_decoder.mask_tokens.weight").addi(1.5);
        Path own = dir.resolve("model.npz");
        m.save(own);
        LiteMedSam back = LiteMedSam.load(own);
        assertThat(back.config()).isEqualTo(tiny());
        Path pth = dir.resolve("model.pth");
        m.exportPth(pth);
        Map<String, INDArray> fromPth = PthCheckpoint.read(pth);
        Map<String, INDArray> expected = m.stateDict();
        assertThat(new ArrayList<>(fromPth.keySet())).isEqualTo(new ArrayList<>(expected.keySet()));
        for (String k : expected.keySet()) {
            assertThat(back.stateDict().get(k)).as(k).isEqualTo(expected.get(k));
            assertThat(fromPth.get(k)).as(k).isEqualTo(expected.get(k));
        }
        INDArray img = Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32);
        INDArray box = Nd4j.createFromArray(new float[][]{{2, 3, 25, 28}});
        assertThat(LiteMedSam.fromPth(pth, tiny()).forward(img, box, false).lowResLogits())
                .isEqualTo(m.forward(img, box, false).lowResLogits());
    }

    @Test
    void createIsDeterministicAndComponentsPartitionTheParameters() {
        LiteMedSam a = LiteMedSam.create(tiny(), 42L);
        LiteMedSam b = LiteMedSam.create(tiny(), 42L);
        assertThat(a.stateDict()).isEqualTo(b.stateDict());
        int total = 0;
        for (Component c : Component.values()) {
            total += a.parameterNames(c).size();
        }
        assertThat(total).isEqualTo(a.parameters().size());
        assertThat(a.parameterCount()).isEqualTo(WeightMapping.parameterCount(tiny()));
        assertThat(WeightMapping.parameterCount(ModelConfig.liteMedSam())).isEqualTo(9_791_300L);
        assertThat(WeightMapping.layout(ModelConfig.liteMedSam())).hasSize(435);
    }
}

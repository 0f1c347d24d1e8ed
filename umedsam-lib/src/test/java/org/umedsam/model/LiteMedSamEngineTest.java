package org.umedsam.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LiteMedSam}'s evaluation-mode passes give the same numbers on the CPU engine as on SameDiff,
 * and the CPU engine sees in-place parameter updates (it snapshots the weights at every call).
 */
class LiteMedSamEngineTest {

    private static double maxAbs(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void cpuAndSameDiffAgreeOnEveryEvaluationPass() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 5L);
        for (var e : m.buffers().entrySet()) {
            if (e.getKey().endsWith("running_var")) {
                e.getValue().assign(Nd4j.rand(DataType.FLOAT, e.getValue().shape()).addi(0.5));
            } else if (e.getKey().endsWith("running_mean")) {
                e.getValue().assign(Nd4j.randn(DataType.FLOAT, e.getValue().shape()).muli(0.1));
            }
        }
        Nd4j.getRandom().setSeed(3);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 256, 256);
        INDArray boxes = Nd4j.createFromArray(new float[][]{{20, 30, 140, 200}, {60, 10, 250, 120}});
        assertThat(m.engine().kind()).isEqualTo(Engine.Kind.CPU);

        INDArray embCpu = m.embed(images);
        ModelOutput outCpu = m.forwardFromEmbedding(embCpu, boxes);
        Prediction multiCpu = m.decode(embCpu.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup(), boxes, true);

        m.engine(Engine.Kind.SAMEDIFF);
        INDArray embSd = m.embed(images);
        ModelOutput outSd = m.forwardFromEmbedding(embCpu, boxes);
        Prediction multiSd = m.decode(embCpu.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup(), boxes, true);

        assertThat(embCpu.shape()).isEqualTo(embSd.shape());
        assertThat(maxAbs(embCpu, embSd)).as("embedding").isLessThan(1e-4);
        assertThat(maxAbs(outCpu.lowResLogits(), outSd.lowResLogits())).as("logits").isLessThan(1e-3);
        assertThat(maxAbs(outCpu.iou(), outSd.iou())).as("iou").isLessThan(1e-4);
        assertThat(maxAbs(multiCpu.masks(), multiSd.masks())).as("multimask logits").isLessThan(1e-3);
        assertThat(maxAbs(multiCpu.iou(), multiSd.iou())).as("multimask iou").isLessThan(1e-4);
    }

    /** A NaN box would decode to logits of minus infinity: it is refused, naming the box and coordinate. */
    @Test
    void aBoxThatIsNotFiniteIsRefused() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 6L);
        INDArray emb = Nd4j.rand(DataType.FLOAT, 1, m.config().promptEmbedDim(), 64, 64);
        INDArray box = Nd4j.createFromArray(new float[][]{{10, 10, 100, 100}, {10, Float.NaN, 100, 100}});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.decode(emb, box, false))
                .hasMessageContaining("box 1 coordinate 1 is NaN");
    }

    @Test
    void cpuEngineSeesInPlaceParameterUpdates() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 6L);
        INDArray emb = Nd4j.rand(DataType.FLOAT, 1, m.config().promptEmbedDim(), 64, 64);
        INDArray box = Nd4j.createFromArray(new float[][]{{10, 10, 100, 100}});
        INDArray before = m.decode(emb, box, false).iou().dup();
        m.parameters().get("mask_decoder.iou_prediction_head.layers.2.bias").addi(0.25);
        INDArray after = m.decode(emb, box, false).iou();
        assertThat(after.getDouble(0) - before.getDouble(0)).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void maskDecoderGradientsAgreeBetweenEngines() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 8L);
        Nd4j.getRandom().setSeed(4);
        INDArray emb = Nd4j.randn(DataType.FLOAT, 2, m.config().promptEmbedDim(), 64, 64);
        INDArray boxes = Nd4j.createFromArray(new float[][]{{20, 30, 140, 200}, {60, 10, 250, 120}});
        INDArray gLogits = Nd4j.randn(DataType.FLOAT, 2, 1, 256, 256).muli(1e-3);
        INDArray gIou = Nd4j.randn(DataType.FLOAT, 2, 1);
        java.util.Set<String> wrt = m.parameterNames(Component.MASK_DECODER);
        java.util.Map<String, INDArray> cpu = m.gradientsFromEmbedding(emb, boxes, gLogits, gIou, wrt);
        m.engine(Engine.Kind.SAMEDIFF);
        java.util.Map<String, INDArray> sd = m.gradientsFromEmbedding(emb, boxes, gLogits, gIou, wrt);
        assertThat(cpu.keySet()).containsExactlyElementsOf(sd.keySet());
        double largest = sd.values().stream().mapToDouble(a -> a.amaxNumber().doubleValue()).max().orElse(1);
        for (String k : wrt) {
            // the floor: k_proj biases have an analytic gradient of 0 (a key bias shifts a softmax row
            // uniformly), so both engines return rounding noise there
            double scale = Math.max(1e-4 * largest, sd.get(k).amaxNumber().doubleValue());
            assertThat(maxAbs(cpu.get(k), sd.get(k)) / scale).as(k).isLessThan(1e-3);
        }
    }

    @Test
    void cpuGradientsAreBitReproducible() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 9L);
        Nd4j.getRandom().setSeed(5);
        INDArray emb = Nd4j.randn(DataType.FLOAT, 2, m.config().promptEmbedDim(), 64, 64);
        INDArray boxes = Nd4j.createFromArray(new float[][]{{20, 30, 140, 200}, {60, 10, 250, 120}});
        INDArray gLogits = Nd4j.randn(DataType.FLOAT, 2, 1, 256, 256);
        INDArray gIou = Nd4j.randn(DataType.FLOAT, 2, 1);
        java.util.Set<String> wrt = m.parameterNames(Component.MASK_DECODER);
        java.util.Map<String, INDArray> first = m.gradientsFromEmbedding(emb, boxes, gLogits, gIou, wrt);
        for (int repeat = 0; repeat < 3; repeat++) {
            java.util.Map<String, INDArray> again = m.gradientsFromEmbedding(emb, boxes, gLogits, gIou, wrt);
            for (String k : wrt) {
                assertThat(again.get(k)).as(k).isEqualTo(first.get(k));
            }
        }
    }
}

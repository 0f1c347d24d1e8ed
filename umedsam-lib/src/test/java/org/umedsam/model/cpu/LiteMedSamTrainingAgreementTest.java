package org.umedsam.model.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.Component;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelOutput;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CPU engine's full-model training pass ({@link LiteMedSamTraining}, float) against SameDiff's
 * {@code LiteMedSam.forward(.., training)} and {@code gradients} in double precision, on small random
 * configurations with perturbed weights and BatchNorm statistics: outputs, batch statistics and the
 * gradient of every trainable parameter, BatchNorm in training and in evaluation mode. SameDiff's
 * gradients are themselves checked against finite differences in {@code LiteMedSamTrainingTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiteMedSamTrainingAgreementTest {

    static final double BAR = 1e-3;

    int savedThreads;
    int savedMasterThreads;

    @BeforeAll
    void oneSameDiffThread() {
        // tiny graphs: SameDiff's per-op cost dominates and OpenMP threads only add contention
        savedThreads = Nd4j.getEnvironment().maxThreads();
        savedMasterThreads = Nd4j.getEnvironment().maxMasterThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    @AfterAll
    void restoreThreads() {
        Nd4j.getEnvironment().setMaxThreads(savedThreads);
        Nd4j.getEnvironment().setMaxMasterThreads(savedMasterThreads);
    }

    /** 32x32 input; stages at 16x16 and 8x8 with window 7, so every attention pads. */
    static ModelConfig tiny() {
        return new ModelConfig(32, new int[]{8, 16, 16, 32}, new int[]{1, 1, 1, 1}, new int[]{1, 2, 2, 2},
                new int[]{7, 7, 7, 7}, new int[]{2, 2, 1}, 2, 2, 32, 2, 48, 2, 2, 3, 3, 16);
    }

    /**
     * 64x64 input with the upstream windows 7/7/14/7: stage 1 at 32x32 (pads to 35), stage 2 at 16x16 under a
     * 14-window (pads to 28), stage 3 at 16x16 (pads to 21); two MBConvs and two blocks in stage 2, mlp ratio 4.
     */
    static ModelConfig medium() {
        return new ModelConfig(64, new int[]{8, 16, 24, 32}, new int[]{2, 1, 2, 1}, new int[]{1, 2, 3, 4},
                new int[]{7, 7, 14, 7}, new int[]{2, 2, 1}, 4, 4, 32, 2, 48, 2, 2, 3, 3, 16);
    }

    record Case(ModelConfig config, LiteMedSam ref, Map<String, INDArray> floatState, INDArray images,
                INDArray boxes, INDArray gradLogits, INDArray gradIou) {

        static Case of(ModelConfig c, int batch, long seed) {
            LiteMedSam m = LiteMedSam.create(c, seed, DataType.DOUBLE);
            Random r = new Random(seed + 1);
            for (INDArray p : m.parameters().values()) {
                p.addi(Nd4j.randn(r.nextLong(), p.shape()).castTo(DataType.DOUBLE).muli(0.1));
            }
            for (Map.Entry<String, INDArray> e : m.buffers().entrySet()) {
                if (e.getKey().endsWith("running_var")) {
                    e.getValue().assign(Nd4j.rand(DataType.DOUBLE, e.getValue().shape()).addi(0.5));
                } else if (e.getKey().endsWith("running_mean")) {
                    e.getValue().assign(Nd4j.randn(r.nextLong(), e.getValue().shape()).castTo(DataType.DOUBLE).muli(0.1));
                }
            }
            Map<String, INDArray> f = new LinkedHashMap<>();
            m.stateDict().forEach((k, v) -> f.put(k, v.castTo(DataType.FLOAT)));
            Nd4j.getRandom().setSeed(seed + 2);
            int s = c.imageSize();
            INDArray images = Nd4j.rand(DataType.FLOAT, batch, 3, s, s);
            double[][] bx = new double[batch][];
            for (int i = 0; i < batch; i++) {
                int x0 = r.nextInt(s / 2);
                int y0 = r.nextInt(s / 2);
                bx[i] = new double[]{x0, y0, x0 + 4 + r.nextInt(s / 2 - 4), y0 + 4 + r.nextInt(s / 2 - 4)};
            }
            INDArray gl = Nd4j.randn(DataType.FLOAT, batch, 1, c.maskSize(), c.maskSize());
            INDArray gi = Nd4j.randn(DataType.FLOAT, batch, 1);
            return new Case(c, m, f, images, Nd4j.createFromArray(bx).castTo(DataType.FLOAT), gl, gi);
        }

        Set<String> trainable() {
            Set<String> keys = new LinkedHashSet<>();
            for (Component comp : Component.values()) {
                keys.addAll(ref.parameterNames(comp));
            }
            return keys;
        }

        Map<String, INDArray> referenceGradients(boolean training) {
            return ref.gradients(images.castTo(DataType.DOUBLE), boxes.castTo(DataType.DOUBLE),
                    gradLogits.castTo(DataType.DOUBLE), gradIou.castTo(DataType.DOUBLE), training, trainable());
        }
    }

    double agreement(String what, Case k, boolean training) {
        LiteMedSamTraining cpu = LiteMedSamTraining.of(k.config(), k.floatState());
        LiteMedSamTraining.Pass pass = cpu.forward(k.images(), k.boxes(), training);
        ModelOutput ref = k.ref().forward(k.images().castTo(DataType.DOUBLE), k.boxes().castTo(DataType.DOUBLE), training);
        double logitErr = pass.output().lowResLogits().castTo(DataType.DOUBLE).sub(ref.lowResLogits()).amaxNumber().doubleValue()
                / Math.max(1e-6, ref.lowResLogits().amaxNumber().doubleValue());
        double iouErr = pass.output().iou().castTo(DataType.DOUBLE).sub(ref.iou()).amaxNumber().doubleValue()
                / Math.max(1e-6, ref.iou().amaxNumber().doubleValue());
        System.out.printf("GRAD %s: forward logits rel err %.2e, iou rel err %.2e%n", what, logitErr, iouErr);
        assertThat(logitErr).isLessThan(1e-4);
        assertThat(iouErr).isLessThan(1e-4);
        if (training) {
            Map<String, ModelOutput.BatchNormStatistics> want = new LinkedHashMap<>();
            ref.batchNormStatistics().forEach(st -> want.put(st.prefix(), st));
            assertThat(pass.output().batchNormStatistics()).hasSize(want.size());
            for (ModelOutput.BatchNormStatistics st : pass.output().batchNormStatistics()) {
                ModelOutput.BatchNormStatistics w = want.get(st.prefix());
                assertThat(w).as(st.prefix()).isNotNull();
                assertThat(st.count()).as(st.prefix()).isEqualTo(w.count());
                assertThat(st.mean().castTo(DataType.DOUBLE).reshape(w.mean().length())
                        .sub(w.mean().reshape(w.mean().length())).amaxNumber().doubleValue()).as(st.prefix()).isLessThan(1e-4);
                assertThat(st.variance().castTo(DataType.DOUBLE).reshape(w.variance().length())
                        .sub(w.variance().reshape(w.variance().length())).amaxNumber().doubleValue()
                        / Math.max(1e-6, w.variance().amaxNumber().doubleValue())).as(st.prefix()).isLessThan(1e-4);
            }
        } else {
            assertThat(pass.output().batchNormStatistics()).isEmpty();
        }
        Map<String, INDArray> got = cpu.backward(pass, k.gradLogits(), k.gradIou(), k.trainable());
        Map<String, INDArray> want = k.referenceGradients(training);
        assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
        return MaskDecoderGradientAgreementTest.compareAll(what, got, want, null);
    }

    @Test
    void tinyTrainingModeBatchTwo() {
        assertThat(agreement("tiny train B=2", Case.of(tiny(), 2, 31L), true)).isLessThanOrEqualTo(BAR);
    }

    @Test
    void tinyEvaluationModeBatchTwo() {
        assertThat(agreement("tiny eval B=2", Case.of(tiny(), 2, 32L), false)).isLessThanOrEqualTo(BAR);
    }

    @Test
    void mediumTrainingModeBatchTwo() {
        assertThat(agreement("medium train B=2", Case.of(medium(), 2, 33L), true)).isLessThanOrEqualTo(BAR);
    }

    @Test
    void mediumTrainingModeBatchThree() {
        assertThat(agreement("medium train B=3", Case.of(medium(), 3, 34L), true)).isLessThanOrEqualTo(BAR);
    }

    @Test
    void backwardIsBitReproducible() {
        Case k = Case.of(medium(), 2, 35L);
        LiteMedSamTraining cpu = LiteMedSamTraining.of(k.config(), k.floatState());
        Map<String, INDArray> a = cpu.backward(cpu.forward(k.images(), k.boxes(), true), k.gradLogits(), k.gradIou(), k.trainable());
        Map<String, INDArray> b = cpu.backward(cpu.forward(k.images(), k.boxes(), true), k.gradLogits(), k.gradIou(), k.trainable());
        for (String key : a.keySet()) {
            assertThat(a.get(key).data().asFloat()).as(key).isEqualTo(b.get(key).data().asFloat());
        }
    }

    /**
     * A pass's loops on the {@link SpinningWorkers} (a pass started on a plain thread) give the bits they give in a
     * fork-join pool of the same parallelism (a pass started in a pool thread, where the workers are not used).
     */
    @Test
    void passOnTheSpinningWorkersGivesThePoolsBits() throws Exception {
        Case k = Case.of(medium(), 2, 38L);
        LiteMedSamTraining spinning = LiteMedSamTraining.of(k.config(), k.floatState());
        LiteMedSamTraining.Pass spinningPass = spinning.forward(k.images(), k.boxes(), true);
        Map<String, INDArray> a = spinning.backward(spinningPass, k.gradLogits(), k.gradIou(), k.trainable());
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(RowParallelGemm.threads());
        try {
            LiteMedSamTraining pooled = LiteMedSamTraining.of(k.config(), k.floatState());
            LiteMedSamTraining.Pass pooledPass = pool.submit(() -> pooled.forward(k.images(), k.boxes(), true)).get();
            Map<String, INDArray> b = pool.submit(() -> pooled.backward(pooledPass, k.gradLogits(), k.gradIou(),
                    k.trainable())).get();
            assertThat(spinningPass.output().lowResLogits().data().asFloat()).as("logits")
                    .isEqualTo(pooledPass.output().lowResLogits().data().asFloat());
            assertThat(b.keySet()).isEqualTo(a.keySet());
            for (String key : a.keySet()) {
                assertThat(a.get(key).data().asFloat()).as(key).isEqualTo(b.get(key).data().asFloat());
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A training run resumed in a JVM without the Vector API's module continues with the same bits: the pass's
     * outputs (which the loss and so its gradient come from; its decoder is {@link MaskDecoder#forTraining}) and the
     * gradients.
     */
    @Test
    void passGivesThePlainKernelsBits() {
        assertThat(org.umedsam.model.VectorSupport.enabled()).as("the tests' JVM has the Vector API").isTrue();
        Case k = Case.of(medium(), 2, 37L);
        LiteMedSamTraining vector = LiteMedSamTraining.of(k.config(), k.floatState());
        LiteMedSamTraining.Pass vectorPass = vector.forward(k.images(), k.boxes(), true);
        Map<String, INDArray> a = vector.backward(vectorPass, k.gradLogits(), k.gradIou(), k.trainable());
        record Differentiated(LiteMedSamTraining.Pass pass, Map<String, INDArray> gradients) {
        }
        Differentiated plain = org.umedsam.model.PlainKernels.get(() -> {
            LiteMedSamTraining t = LiteMedSamTraining.of(k.config(), k.floatState());
            LiteMedSamTraining.Pass p = t.forward(k.images(), k.boxes(), true);
            return new Differentiated(p, t.backward(p, k.gradLogits(), k.gradIou(), k.trainable()));
        });
        Map<String, INDArray> b = plain.gradients();
        assertThat(vectorPass.output().lowResLogits().data().asFloat()).as("logits")
                .isEqualTo(plain.pass().output().lowResLogits().data().asFloat());
        assertThat(vectorPass.output().iou().data().asFloat()).as("iou")
                .isEqualTo(plain.pass().output().iou().data().asFloat());
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String key : a.keySet()) {
            assertThat(a.get(key).data().asFloat()).as(key).isEqualTo(b.get(key).data().asFloat());
        }
    }

    @Test
    void rejectsUnknownKeysAndForeignPasses() {
        Case k = Case.of(tiny(), 1, 36L);
        LiteMedSamTraining cpu = LiteMedSamTraining.of(k.config(), k.floatState());
        LiteMedSamTraining.Pass pass = cpu.forward(k.images(), k.boxes(), true);
        assertThatThrownBy(() -> cpu.backward(pass, k.gradLogits(), k.gradIou(), Set.of("image_encoder.nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image_encoder.nope");
        LiteMedSamTraining other = LiteMedSamTraining.of(k.config(), k.floatState());
        assertThatThrownBy(() -> other.backward(pass, k.gradLogits(), k.gradIou(), k.trainable()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshot");
        assertThatThrownBy(() -> cpu.backward(pass, k.gradIou(), k.gradIou(), k.trainable()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradLogits");
        assertThatThrownBy(() -> cpu.forward(k.images().reshape(1, 3, 16, 64), k.boxes(), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images");
    }
}

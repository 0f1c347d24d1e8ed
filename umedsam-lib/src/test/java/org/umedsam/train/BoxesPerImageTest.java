package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.BoxesPerImage;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;
import org.umedsam.model.LiteMedSam;

/**
 * Several boxes per image ({@link TrainConfig#boxesPerImage()}): the CPU engine embeds each image once
 * and gives what repeating the image per box gives (outputs, summed gradients), and a trainer run with
 * groups of boxes lowers its loss and resumes bit for bit.
 */
class BoxesPerImageTest {
    @TempDir
    Path runs;

    @Test
    void sharedEmbeddingEqualsRepeatedImages() {
        LiteMedSam m = LiteMedSam.create(LiteMedSamModelTest.tiny(), 3L);
        LiteMedSamModel model = new LiteMedSamModel(m, false);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray boxes = Nd4j.createFromArray(new float[][] {{2, 3, 20, 24}, {8, 1, 30, 15}, {0, 0, 31, 31},
                {5, 5, 12, 12}, {1, 9, 25, 28}, {14, 2, 29, 30}});
        INDArray repeated = BoxesPerImage.repeatRows(images, 3);
        assertThat(repeated.size(0)).isEqualTo(6);
        assertThat(repeated.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4))).isEqualTo(
                images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)));
        INDArray gl = Nd4j.randn(DataType.FLOAT, 6, 1, 32, 32);
        INDArray gi = Nd4j.randn(DataType.FLOAT, 6, 1);
        Set<String> all = model.parameterNames(ParameterGroup.ALL);
        for (boolean training : new boolean[] {true, false}) {
            Engine.Pass shared = model.forward(images, boxes, training);
            Engine.Pass rep = model.forward(repeated, boxes, training);
            ModelOutput s = shared.output();
            ModelOutput r = rep.output();
            assertThat(s.lowResLogits().shape()).containsExactly(6, 1, 32, 32);
            assertThat(maxRelative(s.lowResLogits(), r.lowResLogits())).as("logits, training " + training).isLessThan(1e-4);
            assertThat(maxRelative(s.iou(), r.iou())).isLessThan(1e-4);
            Map<String, INDArray> a = shared.backward(gl, gi, all);
            Map<String, INDArray> b = rep.backward(gl, gi, all);
            // relative to each key's largest magnitude, floored at 1e-3 of the largest of all keys: a gradient that
            // BatchNorm cancels (mlp.fc2.bias before a BN) is float rounding in both, as in the agreement tests
            double global = 0;
            for (String k : all) {
                global = Math.max(global, b.get(k).castTo(DataType.DOUBLE).amaxNumber().doubleValue());
            }
            for (String k : all) {
                double scale = Math.max(b.get(k).castTo(DataType.DOUBLE).amaxNumber().doubleValue(), 1e-3 * global);
                double diff = a.get(k).castTo(DataType.DOUBLE).sub(b.get(k).castTo(DataType.DOUBLE)).amaxNumber()
                        .doubleValue();
                assertThat(diff / scale).as(k + ", training " + training).isLessThan(1e-3);
            }
        }
        assertThatThrownBy(() -> model.forward(images, boxes.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5)),
                true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boxes per image");
    }

    /** max |a - b| / max(|b|), 0 for two zero arrays. */
    static double maxRelative(INDArray a, INDArray b) {
        double scale = b.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
        double diff = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        return scale == 0 ? diff : diff / scale;
    }

    /** Items of {@code base} in groups of {@code k}: one image, k boxes grown by 0..k-1 pixels. */
    static TrainingSource grouped(TrainingSource base, int k) {
        return new TrainingSource() {
            @Override
            public int epochSize(int epoch) {
                return base.epochSize(epoch) * k;
            }

            @Override
            public TrainingExample example(int epoch, int position) {
                TrainingExample e = base.example(epoch, position / k);
                int q = position % k;
                float[] b = e.box().clone();
                b[0] = Math.max(0, b[0] - q);
                b[1] = Math.max(0, b[1] - q);
                b[2] = Math.min(e.width() - 1, b[2] + q);
                b[3] = Math.min(e.height() - 1, b[3] + q);
                return new TrainingExample(e.id() + "#" + q, e.image(), b, e.mask(), e.height(), e.width(),
                        e.modality());
            }
        };
    }

    @Test
    void aRunWithGroupsOfBoxesLowersTheLossAndResumesBitForBit() throws Exception {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "grouped", "epochs", 3, "batchSize", 2,
                "boxesPerImage", 3, "learningRate", 2e-3, "sam", false, "checkpointEverySteps", 1,
                "trainable", "ALL", "lrSchedule", "cosine", "warmupSteps", 2));
        LiteMedSam straight = LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L);
        Trainer.Result r = Trainer.start(c, new LiteMedSamModel(straight, false),
                grouped(LiteMedSamModelTest.data(6, 1), 3), LiteMedSamModelTest.data(2, 2), runs.resolve("a"),
                Trainer.Options.quiet());
        assertThat(r.steps()).isEqualTo(9); // 6 images x 3 boxes per epoch, 2 images per step
        assertThat(r.lastEpochLoss()).isLessThan(r.firstEpochLoss());

        Path b = runs.resolve("b");
        assertThatThrownBy(() -> Trainer.start(c, new LiteMedSamModel(LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L),
                false), grouped(LiteMedSamModelTest.data(6, 1), 3), LiteMedSamModelTest.data(2, 2), b,
                Trainer.Options.quiet().interruptingAfter(4))).isInstanceOf(TrainingInterruptedException.class);
        LiteMedSam resumed = LiteMedSam.create(LiteMedSamModelTest.tiny(), 99L);
        Trainer.resume(b.resolve("grouped"), new LiteMedSamModel(resumed, false),
                grouped(LiteMedSamModelTest.data(6, 1), 3), LiteMedSamModelTest.data(2, 2), Trainer.Options.quiet());
        for (Map.Entry<String, INDArray> e : straight.stateDict().entrySet()) {
            assertThat(resumed.stateDict().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void groupsThatDoNotShareTheirImageAreRefused() {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "bad", "epochs", 1, "batchSize", 1,
                "boxesPerImage", 2, "sam", false, "trainable", "ALL"));
        assertThatThrownBy(() -> Trainer.start(c, new LiteMedSamModel(LiteMedSam.create(LiteMedSamModelTest.tiny(), 5L),
                false), LiteMedSamModelTest.data(6, 1), null, runs.resolve("c"), Trainer.Options.quiet()))
                .hasMessageContaining("should share the image");
    }

    @Test
    void theCosineScheduleWarmsUpThenDecaysToTheFloor() {
        TrainConfig c = TrainConfig.defaults().with(Map.of("learningRate", 1e-3, "minLearningRate", 1e-5,
                "lrSchedule", "cosine", "warmupSteps", 10));
        assertThat(c.cosineLearningRate(0, 100)).isEqualTo(1e-4);
        assertThat(c.cosineLearningRate(9, 100)).isEqualTo(1e-3);
        assertThat(c.cosineLearningRate(10, 100)).isEqualTo(1e-3);
        assertThat(c.cosineLearningRate(99, 100)).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-12));
        double mid = c.cosineLearningRate(10 + 89 / 2, 100);
        assertThat(mid).isBetween(4.9e-4, 5.2e-4);
        assertThatThrownBy(() -> TrainConfig.fromJson("{\"lrSchedule\": \"step\"}", "test.json"))
                .hasMessageContaining("lrSchedule");
    }
}

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
import org.umedsam.model.EmbeddingCache;
import org.umedsam.model.Engine;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.cpu.LiteMedSamTraining;

/**
 * {@link LiteMedSamModel} training every parameter on the CPU engine: the backward of a kept pass is the
 * full-model gradient, and a whole U-MedSAM run (SAM, uncertainty weighting, training-mode BatchNorm) on a
 * tiny configuration lowers its loss and resumes bit for bit.
 */
class LiteMedSamModelTest {
    @TempDir
    Path runs;

    /** 32x32 input, every stage padded by its window. */
    static ModelConfig tiny() {
        return new ModelConfig(32, new int[] {8, 16, 16, 32}, new int[] {1, 1, 1, 1}, new int[] {1, 2, 2, 2},
                new int[] {7, 7, 7, 7}, new int[] {2, 2, 1}, 2, 2, 32, 2, 48, 2, 2, 3, 3, 16);
    }

    static TrainingSource data(int n, long base) {
        return base == 2 ? ShuffledSource.validation(new SyntheticSquares(n, 32, base), 7)
                : ShuffledSource.training(new SyntheticSquares(n, 32, base), 7);
    }

    @Test
    void theBackwardOfAKeptPassIsTheFullModelGradient() {
        LiteMedSam m = LiteMedSam.create(tiny(), 3L);
        LiteMedSamModel model = new LiteMedSamModel(m, false);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray boxes = Nd4j.createFromArray(new float[][] {{2, 3, 20, 24}, {8, 1, 30, 15}});
        INDArray gl = Nd4j.randn(DataType.FLOAT, 2, 1, 32, 32);
        INDArray gi = Nd4j.randn(DataType.FLOAT, 2, 1);
        Set<String> all = model.parameterNames(ParameterGroup.ALL);
        for (boolean training : new boolean[] {true, false}) {
            Engine.Pass pass = model.forward(images, boxes, training);
            // training passes keep their tape; evaluation passes take the inference path, and their backward recomputes
            assertThat(pass instanceof LiteMedSamTraining.Pass).isEqualTo(training);
            Map<String, INDArray> kept = pass.backward(gl, gi, all);
            if (training) {
                // a trainer's pass is single-use: its tape went with the backward pass
                assertThatThrownBy(() -> pass.backward(gl, gi, all)).isInstanceOf(IllegalStateException.class);
            }
            Map<String, INDArray> again = m.gradients(images, boxes, gl, gi, training, all);
            assertThat(kept.keySet()).containsExactlyElementsOf(all);
            for (String k : all) {
                assertThat(kept.get(k).data().asFloat()).as(k).isEqualTo(again.get(k).data().asFloat());
            }
        }
        assertThat(m.forward(images, boxes, true).batchNormStatistics()).isNotEmpty();
        // a double-precision model runs on the reference engine, whatever was asked for
        LiteMedSam precise = LiteMedSam.create(tiny(), 3L, DataType.DOUBLE).engine(Engine.Kind.CPU);
        assertThat(precise.engine().kind()).isEqualTo(Engine.Kind.SAMEDIFF);
    }

    @Test
    void aFullRunOfEveryParameterLowersTheLossAndResumesBitForBit() throws Exception {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "full", "epochs", 3, "batchSize", 2,
                "learningRate", 2e-3, "sam", true, "checkpointEverySteps", 2, "gcEverySteps", 0, "seed", 7,
                "trainable", "ALL"));
        LiteMedSam straight = LiteMedSam.create(tiny(), 5L);
        Map<String, INDArray> initial = straight.stateDict();
        Map<String, INDArray> start = new java.util.LinkedHashMap<>();
        initial.forEach((k, v) -> start.put(k, v.dup()));
        Trainer.Result r = Trainer.start(c, new LiteMedSamModel(straight, false), data(6, 1), data(2, 2),
                runs.resolve("a"), Trainer.Options.quiet());
        assertThat(r.steps()).isEqualTo(9);
        assertThat(r.lastEpochLoss()).isLessThan(r.firstEpochLoss());
        assertThat(straight.parameters().get("image_encoder.layers.1.blocks.0.attn.qkv.weight"))
                .isNotEqualTo(start.get("image_encoder.layers.1.blocks.0.attn.qkv.weight"));
        assertThat(straight.buffers().get("image_encoder.patch_embed.seq.0.bn.running_mean"))
                .isNotEqualTo(start.get("image_encoder.patch_embed.seq.0.bn.running_mean"));

        Path b = runs.resolve("b");
        assertThatThrownBy(() -> Trainer.start(c, new LiteMedSamModel(LiteMedSam.create(tiny(), 5L), false),
                data(6, 1), data(2, 2), b, Trainer.Options.quiet().interruptingAfter(5)))
                .isInstanceOf(TrainingInterruptedException.class);
        LiteMedSam resumed = LiteMedSam.create(tiny(), 99L); // everything must come from the checkpoint
        Trainer.resume(b.resolve("full"), new LiteMedSamModel(resumed, false), data(6, 1), data(2, 2),
                Trainer.Options.quiet());
        for (Map.Entry<String, INDArray> e : straight.stateDict().entrySet()) {
            assertThat(resumed.stateDict().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    /**
     * A frozen encoder's embeddings shared through a cache: a second run of the same batches hits it, and every run
     * (first, second, and one with a cache of its own, resumed after an interruption) ends at the same weights.
     */
    @Test
    void sharedEmbeddingsAreHitAndChangeNothing() throws Exception {
        TrainConfig c = TrainConfig.defaults().with(Map.of("name", "frozen", "epochs", 2, "batchSize", 2,
                "learningRate", 2e-3, "sam", true, "checkpointEverySteps", 2, "gcEverySteps", 0, "seed", 7,
                "trainable", "MASK_DECODER_AND_SIGMAS"));
        EmbeddingCache shared = new EmbeddingCache(1L << 30);
        LiteMedSam first = LiteMedSam.create(tiny(), 5L);
        Trainer.start(c, new LiteMedSamModel(first, true, shared), data(6, 1), data(2, 2), runs.resolve("a"),
                Trainer.Options.quiet());
        long missesAfterFirst = shared.misses();
        assertThat(missesAfterFirst).isPositive();
        LiteMedSam second = LiteMedSam.create(tiny(), 5L);
        Trainer.start(c, new LiteMedSamModel(second, true, shared), data(6, 1), data(2, 2), runs.resolve("b"),
                Trainer.Options.quiet());
        assertThat(shared.misses()).as("the second run embeds nothing anew").isEqualTo(missesAfterFirst);

        Path d = runs.resolve("c");
        assertThatThrownBy(() -> Trainer.start(c, new LiteMedSamModel(LiteMedSam.create(tiny(), 5L), true,
                new EmbeddingCache(1L << 30)), data(6, 1), data(2, 2), d, Trainer.Options.quiet().interruptingAfter(3)))
                .isInstanceOf(TrainingInterruptedException.class);
        LiteMedSam resumed = LiteMedSam.create(tiny(), 99L);
        Trainer.resume(d.resolve("frozen"), new LiteMedSamModel(resumed, true, new EmbeddingCache(1L << 30)),
                data(6, 1), data(2, 2), Trainer.Options.quiet());
        for (Map.Entry<String, INDArray> e : first.parameters().entrySet()) {
            assertThat(second.parameters().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(resumed.parameters().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
    }
}

package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trainer announces its in-place writes ({@link TrainableModel#weightsChanged}) before any evaluation
 * pass can see them, with and without SAM and on resume: a model that keeps weight snapshots for its
 * evaluation passes (as LiteMedSAM's CPU encoder does) never evaluates on stale weights.
 */
class TrainerAnnouncesWritesTest {
    @TempDir
    Path runs;

    /** TinyPixelModel that copies each array when a write to it is announced and checks every evaluation pass against the copies. */
    static final class Announcing implements TrainableModel {
        final TinyPixelModel inner = new TinyPixelModel(5);
        final Map<String, INDArray> announced = new HashMap<>();
        int evaluationPasses;

        Announcing() {
            weightsChanged(all());
        }

        Map<String, INDArray> all() {
            Map<String, INDArray> a = new LinkedHashMap<>(inner.parameters());
            a.putAll(inner.buffers());
            return a;
        }

        void weightsChanged(Map<String, INDArray> arrays) {
            weightsChanged(arrays.keySet());
        }

        @Override
        public void weightsChanged(Collection<String> names) {
            Map<String, INDArray> a = all();
            for (String n : names) {
                if (a.containsKey(n)) {
                    announced.put(n, a.get(n).dup());
                }
            }
        }

        @Override
        public Map<String, INDArray> parameters() {
            return inner.parameters();
        }

        @Override
        public Map<String, INDArray> buffers() {
            return inner.buffers();
        }

        @Override
        public Set<String> parameterNames(ParameterGroup group) {
            return inner.parameterNames(group);
        }

        @Override
        public Engine.Pass forward(INDArray images, INDArray boxes, boolean training) {
            if (!training) {
                evaluationPasses++;
                all().forEach((k, v) -> assertThat(v).as("unannounced write to " + k).isEqualTo(announced.get(k)));
            }
            return inner.forward(images, boxes, training);
        }

        @Override
        public void applyBatchNormStatistics(ModelOutput output, double momentum) {
            inner.applyBatchNormStatistics(output, momentum);
            weightsChanged(inner.buffers()); // the model's own write, as LiteMedSam's does
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyOptimizerStepAndRestoreIsAnnounced(boolean sam) throws Exception {
        TrainConfig c = TrainerTest.tiny(sam).with(Map.of("epochs", 3));
        Announcing m = new Announcing();
        Trainer.start(c, m, TrainerTest.train(6, 1), TrainerTest.train(2, 2), runs, Trainer.Options.quiet());
        assertThat(m.evaluationPasses).isPositive();

        Announcing resumed = new Announcing();
        Trainer.resume(runs.resolve(c.name()), resumed, TrainerTest.train(6, 1), TrainerTest.train(2, 2),
                Trainer.Options.quiet());
        assertThat(resumed.announced.get("image_encoder.w")).isEqualTo(m.parameters().get("image_encoder.w"));
    }
}

package org.umedsam.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelOutput;

/**
 * Training passes whose maps come from a {@link TapeArena} and whose backward gives the tape back: the same
 * outputs, batch statistics and gradients bit for bit as fresh arrays, pass after pass (reused arrays hold the
 * previous pass' values), and a released pass cannot be differentiated again.
 */
class TapeArenaTest {

    /** Every encoder stage, a padded window (side 8, window 7), a stride-2 merging and K = 2 boxes per image. */
    static ModelConfig tiny() {
        return new ModelConfig(32, new int[] {8, 16, 16, 32}, new int[] {1, 1, 2, 1}, new int[] {1, 2, 2, 2},
                new int[] {7, 7, 7, 7}, new int[] {2, 2, 1}, 2, 2, 32, 2, 48, 2, 2, 3, 3, 16);
    }

    @Test
    void arenaPassesEqualFreshPassesBitForBit() {
        ModelConfig c = tiny();
        LiteMedSam model = LiteMedSam.create(c, 11L);
        Map<String, INDArray> state = model.stateDict();
        Set<String> all = model.parameters().keySet();
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray boxes = Nd4j.createFromArray(new float[][] {{2, 3, 20, 24}, {8, 1, 30, 15}, {0, 0, 31, 31},
                {5, 6, 17, 18}});
        INDArray gl = Nd4j.randn(DataType.FLOAT, 4, 1, 32, 32);
        INDArray gi = Nd4j.randn(DataType.FLOAT, 4, 1);
        LiteMedSamTraining fresh = LiteMedSamTraining.of(c, state);
        LiteMedSamTraining.Pass reference = fresh.forward(images, boxes, true);
        Map<String, INDArray> expected = fresh.backward(reference, gl, gi, all);
        TapeArena arena = new TapeArena();
        for (int pass = 0; pass < 3; pass++) {
            LiteMedSamTraining t = LiteMedSamTraining.of(c, state, arena);
            LiteMedSamTraining.Pass p = t.forward(images, boxes, pass != 1).releasingTape();
            if (pass == 1) {
                // an evaluation-mode pass in between leaves other values in the reused arrays
                t.backward(p, gl, gi, all);
                continue;
            }
            assertSameOutput(p.output(), reference.output());
            Map<String, INDArray> got = t.backward(p, gl, gi, all);
            assertThat(got.keySet()).containsExactlyElementsOf(expected.keySet());
            for (String k : all) {
                assertThat(got.get(k).data().asFloat()).as("pass %d, %s", pass, k)
                        .isEqualTo(expected.get(k).data().asFloat());
            }
            assertThat(p.tapeReleased()).isTrue();
            assertThatThrownBy(() -> t.backward(p, gl, gi, all)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("released");
            assertThat(arena.pooledBytes()).isPositive();
        }
        // a pass that is not single-use keeps its tape: differentiated twice, the same gradients
        Map<String, INDArray> again = fresh.backward(reference, gl, gi, all);
        for (String k : all) {
            assertThat(again.get(k).data().asFloat()).as(k).isEqualTo(expected.get(k).data().asFloat());
        }
    }

    @Test
    void batchNormStatisticsLetGoOfThePoolAndEqualATrainingPass() {
        ModelConfig c = tiny();
        LiteMedSam model = LiteMedSam.create(c, 11L);
        CpuEngine engine = (CpuEngine) model.engine();
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray boxes = Nd4j.createFromArray(new float[][] {{2, 3, 20, 24}, {8, 1, 30, 15}});
        org.umedsam.model.Engine.Pass p = model.pass(images, boxes, org.umedsam.model.Engine.Mode.TRAINING).singleUse();
        p.backward(Nd4j.randn(DataType.FLOAT, 2, 1, 32, 32), Nd4j.randn(DataType.FLOAT, 2, 1),
                model.parameters().keySet());
        assertThat(engine.pooledBytes()).isPositive();
        List<ModelOutput.BatchNormStatistics> got = model.batchNormStatistics(images, boxes);
        // the training passes' arrays are let go, and the statistics pass did not pool its own
        assertThat(engine.pooledBytes()).isZero();
        List<ModelOutput.BatchNormStatistics> want = p.output().batchNormStatistics();
        assertThat(got).hasSameSizeAs(want).isNotEmpty();
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).prefix()).isEqualTo(want.get(i).prefix());
            assertThat(got.get(i).count()).isEqualTo(want.get(i).count());
            assertThat(got.get(i).mean().data().asFloat()).isEqualTo(want.get(i).mean().data().asFloat());
            assertThat(got.get(i).variance().data().asFloat()).isEqualTo(want.get(i).variance().data().asFloat());
        }
        // the next training pass pools again
        model.pass(images, boxes, org.umedsam.model.Engine.Mode.TRAINING).singleUse().backward(
                Nd4j.randn(DataType.FLOAT, 2, 1, 32, 32), Nd4j.randn(DataType.FLOAT, 2, 1), model.parameters().keySet());
        assertThat(engine.pooledBytes()).isPositive();
    }

    @Test
    void anArrayGivenBackTwiceIsRefused() {
        TapeArena arena = new TapeArena();
        float[] a = arena.take(10);
        arena.give(a);
        assertThat(arena.pooledBytes()).isEqualTo(40);
        assertThatThrownBy(() -> arena.give(a)).isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
        assertThat(arena.take(10)).isSameAs(a);
        TapeArena.NONE.give(a);
        assertThat(TapeArena.NONE.pooledBytes()).isZero();
    }

    private static void assertSameOutput(ModelOutput got, ModelOutput want) {
        assertThat(got.lowResLogits().data().asFloat()).isEqualTo(want.lowResLogits().data().asFloat());
        assertThat(got.iou().data().asFloat()).isEqualTo(want.iou().data().asFloat());
        List<ModelOutput.BatchNormStatistics> g = got.batchNormStatistics();
        List<ModelOutput.BatchNormStatistics> w = want.batchNormStatistics();
        assertThat(g).hasSameSizeAs(w);
        for (int i = 0; i < g.size(); i++) {
            assertThat(g.get(i).mean().data().asFloat()).isEqualTo(w.get(i).mean().data().asFloat());
            assertThat(g.get(i).variance().data().asFloat()).isEqualTo(w.get(i).variance().data().asFloat());
        }
    }
}

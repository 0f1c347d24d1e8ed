package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.umedsam.model.cpu.KernelTestSupport.rand;

/**
 * The inference {@link MBConv} computes its bands in runs that the Java threads take whole
 * ({@link ChunkedParallel#tasks}), each run computing conv1 again for the rows next to it. Whatever the split, the
 * block must be the function the training layers compute in evaluation mode ({@link MBConvTraining}, BatchNorm not
 * folded), and the runs must agree with one thread computing every band in order.
 */
class MBConvBandsTest {

    private static final String P = "layers.0.blocks.0";

    @ParameterizedTest(name = "dim {0}, hidden {1}, side {2}")
    @CsvSource({
            "16, 64, 64",  // 16-row bands, four runs on two threads
            "16, 64, 97",  // 10-row bands, runs of uneven length, the last band short
            "8, 32, 23",   // one band: a single run, its loops in parallel
            "8, 24, 50"})  // a width the vector depthwise kernel does not take: the plain one
    void bandsInRunsAreTheBlocksFunction(int dim, int hidden, int side) {
        Random rnd = new Random(dim * 1009L + side);
        StateDictWeights w = weights(rnd, dim, hidden);
        float[] x = rand(rnd, side * side * dim);

        float[] runs = new MBConv(w, P, dim, hidden).forward(x, side, new Workspace()).clone();
        float[][] oneThread = new float[1][];
        ChunkedParallel.tasks(1, 1, (task, slot) ->
                oneThread[0] = new MBConv(w, P, dim, hidden).forward(x, side, new Workspace()).clone());
        float[][] reference = new float[1][];
        new MBConvTraining(w, P, dim, hidden, TapeArena.NONE).forward(new float[][]{x}, side, false, reference);

        // the same dot products; a product's rows come from calls of other sizes, which oneDNN may round differently
        for (int i = 0; i < runs.length; i++) {
            assertThat(runs[i]).as("value %d", i).isCloseTo(oneThread[0][i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(runs[i]).as("value %d", i).isCloseTo(reference[0][i], org.assertj.core.data.Offset.offset(2e-4f));
        }
        assertThat(runs).doesNotContain(Float.NaN);
    }

    private static StateDictWeights weights(Random rnd, int dim, int hidden) {
        Map<String, INDArray> sd = new HashMap<>();
        conv(sd, rnd, P + ".conv1", hidden, dim, 1, 1.0f / (float) Math.sqrt(dim));
        conv(sd, rnd, P + ".conv2", hidden, 1, 3, 1.0f / 3);
        conv(sd, rnd, P + ".conv3", dim, hidden, 1, 1.0f / (float) Math.sqrt(hidden));
        return new StateDictWeights(sd);
    }

    /** A {@code Conv2d_BN}'s convolution {@code [out, in, k, k]} (scaled to keep activations near 1) and BatchNorm. */
    private static void conv(Map<String, INDArray> sd, Random rnd, String prefix, int out, int in, int k, float scale) {
        float[] weight = rand(rnd, out * in * k * k);
        for (int i = 0; i < weight.length; i++) {
            weight[i] *= scale;
        }
        sd.put(prefix + ".c.weight", Nd4j.create(weight, new long[]{out, in, k, k}, 'c'));
        sd.put(prefix + ".bn.weight", Nd4j.create(rand(rnd, out), new long[]{out}, 'c'));
        sd.put(prefix + ".bn.bias", Nd4j.create(rand(rnd, out), new long[]{out}, 'c'));
        sd.put(prefix + ".bn.running_mean", Nd4j.create(rand(rnd, out), new long[]{out}, 'c'));
        float[] var = rand(rnd, out);
        for (int i = 0; i < out; i++) {
            var[i] = 0.5f + Math.abs(var[i]);
        }
        sd.put(prefix + ".bn.running_var", Nd4j.create(var, new long[]{out}, 'c'));
    }
}

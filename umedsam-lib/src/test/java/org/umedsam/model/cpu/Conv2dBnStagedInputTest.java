package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.umedsam.model.cpu.KernelTestSupport.poisoned;
import static org.umedsam.model.cpu.KernelTestSupport.rand;
import static org.umedsam.model.cpu.KernelTestSupport.read;

/**
 * A 1x1 {@link Conv2dBnTraining} whose input is written into {@link Gemm}'s staging buffer per image
 * ({@link Conv2dBnTraining#forwardStaged}, {@link Conv2dBnTraining#backwardStaged}) gives the bits of the heap path,
 * and {@link Conv2dBnTraining#outputInto} (the BatchNorm written off-heap) those of {@link Conv2dBnTraining#output}:
 * how an MBConv block feeds its last convolution.
 */
class Conv2dBnStagedInputTest {

    private static final String P = "layers.0.blocks.0.conv3";

    @ParameterizedTest(name = "{0} -> {1} channels, side {2}, gelu {3}")
    @CsvSource({"64, 16, 40, false", "32, 48, 23, true", "16, 8, 5, false"})
    void stagedInputGivesTheHeapPathsBits(int in, int out, int side, boolean gelu) {
        Random rnd = new Random(in * 131L + side);
        StateDictWeights w = weights(rnd, in, out);
        int px = side * side;
        float[][] x = {rand(rnd, px * in), rand(rnd, px * in)};
        float[][] dy = {rand(rnd, px * out), rand(rnd, px * out)};
        Conv2dBnTraining.StagedInput staged = (i, into) -> into.ensure((long) px * in).put(0, x[i], 0, px * in);

        Conv2dBnTraining heap = layer(w, in, out, gelu);
        float[][] expectedOut = new float[2][];
        Conv2dBnTraining.Tape th = heap.forward(x, side, true, expectedOut);
        // the backward written out: the BatchNorm's on the heap, then both products from heap operands
        GradientSums expected = new GradientSums();
        float[][] dc = copy(dy);
        BatchNormTraining.backwardHwc(th.conv(), px, out, th.statistics(), w.get(P + ".bn.weight", out),
                w.get(P + ".bn.bias", out), gelu, dc, dc, expected.of(P + ".bn.weight", out),
                expected.of(P + ".bn.bias", out));
        float[][] expectedDx = new float[2][px * in];
        for (int i = 0; i < 2; i++) {
            Gemm.linearBackward(dc[i], px, out, x[i], in, w.get(P + ".c.weight", out, in, 1, 1),
                    expected.of(P + ".c.weight", out * in), expectedDx[i]);
        }
        GradientSums viaHeap = new GradientSums();
        float[][] heapDx = heap.backward(th, copy(dy), true, viaHeap);
        for (int i = 0; i < 2; i++) {
            assertThat(heapDx[i]).as("heap input, dLoss/dx %d", i).isEqualTo(expectedDx[i]);
        }
        for (String k : new String[]{".c.weight", ".bn.weight", ".bn.bias"}) {
            assertThat(viaHeap.get(P + k)).as("heap input, " + k).isEqualTo(expected.get(P + k));
        }

        Conv2dBnTraining layer = layer(w, in, out, gelu);
        float[][] actualOut = new float[2][];
        Conv2dBnTraining.Tape ts = layer.forwardStaged(2, side, staged, true, actualOut);
        assertThat(ts.input()).as("the staged tape keeps no input").isNull();
        assertThat(ts.statistics().mean()).isEqualTo(th.statistics().mean());
        assertThat(ts.statistics().invStd()).isEqualTo(th.statistics().invStd());
        for (int i = 0; i < 2; i++) {
            assertThat(actualOut[i]).as("output %d", i).isEqualTo(expectedOut[i]);
        }
        GradientSums actual = new GradientSums();
        float[][] actualDx = layer.backwardStaged(ts, copy(dy), staged, actual);
        for (int i = 0; i < 2; i++) {
            assertThat(actualDx[i]).as("dLoss/dx %d", i).isEqualTo(expectedDx[i]);
        }
        for (String k : new String[]{".c.weight", ".bn.weight", ".bn.bias"}) {
            assertThat(actual.get(P + k)).as(k).isEqualTo(expected.get(P + k));
        }

        float[][] heapOutput = heap.output(th, null);
        for (int i = 0; i < 2; i++) {
            NativeFloats into = poisoned(px * out + 5);
            layer.outputInto(ts, i, into);
            assertThat(read(into, px * out)).as("output %d off-heap", i).isEqualTo(heapOutput[i]);
        }
    }

    @Test
    void onlyAChannelLastPointwiseConvolutionTakesAStagedInput() {
        Random rnd = new Random(3);
        Map<String, INDArray> sd = new HashMap<>();
        put(sd, P + ".c.weight", rand(rnd, 8 * 9), 8, 1, 3, 3);
        bn(sd, rnd, 8);
        Conv2dBnTraining depthwise = new Conv2dBnTraining(new StateDictWeights(sd), P,
                Conv2dBnTraining.Kind.DEPTHWISE, 8, 8, 1, true, false);
        assertThatThrownBy(() -> depthwise.forwardStaged(1, 4, (i, into) -> { }, true, new float[1][]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(P);
    }

    private static Conv2dBnTraining layer(StateDictWeights w, int in, int out, boolean gelu) {
        return new Conv2dBnTraining(w, P, Conv2dBnTraining.Kind.POINTWISE, in, out, 1, true, gelu);
    }

    private static StateDictWeights weights(Random rnd, int in, int out) {
        Map<String, INDArray> sd = new HashMap<>();
        put(sd, P + ".c.weight", rand(rnd, out * in), out, in, 1, 1);
        bn(sd, rnd, out);
        return new StateDictWeights(sd);
    }

    private static void bn(Map<String, INDArray> sd, Random rnd, int c) {
        put(sd, P + ".bn.weight", rand(rnd, c), c);
        put(sd, P + ".bn.bias", rand(rnd, c), c);
        put(sd, P + ".bn.running_mean", rand(rnd, c), c);
        float[] var = rand(rnd, c);
        for (int i = 0; i < c; i++) {
            var[i] = 0.5f + Math.abs(var[i]);
        }
        put(sd, P + ".bn.running_var", var, c);
    }

    private static void put(Map<String, INDArray> sd, String key, float[] v, long... shape) {
        sd.put(key, Nd4j.create(v, shape, 'c'));
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.umedsam.model.cpu.KernelTestSupport.rand;

/**
 * {@link TinyVitMlpTraining}, with its LayerNorm's output and hidden rows off-heap, gives the bits of the heap path
 * it replaced: the LayerNorm by {@link DecoderGradientKernels#layerNorm}, fc1 with GELU and fc2 with the skip
 * connection through {@link Linear}, and the backward through {@link Gemm#linearBackward}, {@link Gelu} and
 * {@link DecoderGradientKernels#columnSums}, written out here. Gradients start non-zero, as they
 * do when a batch's second image adds to the first's.
 */
class TinyVitMlpTrainingTest {

    private static final String P = "layers.1.blocks.0.mlp";

    @ParameterizedTest(name = "{0} rows, {1} -> {2} -> {1}")
    @CsvSource({
            "3000, 160, 640", // two products in the forward (Linear.rowsPerProduct)
            "700, 32, 128",
            "300, 16, 64",
            "9, 16, 64" // few rows: the heap row loops
    })
    void forwardAndBackwardGiveTheHeapPathsBits(int rows, int dim, int hidden) {
        Random rnd = new Random(rows * 31L + dim);
        Linear fc1 = new Linear(rand(rnd, hidden * dim), rand(rnd, hidden), dim, hidden);
        Linear fc2 = new Linear(rand(rnd, dim * hidden), rand(rnd, dim), hidden, dim);
        float[] nw = rand(rnd, dim);
        float[] nb = rand(rnd, dim);
        float[] y = rand(rnd, rows * dim);
        float[] dOut = rand(rnd, rows * dim);
        float[][] start = {rand(rnd, hidden * dim), rand(rnd, hidden), rand(rnd, dim * hidden), rand(rnd, dim)};

        // the heap path
        float[] t = y.clone();
        float[] expectedXhat = new float[rows * dim];
        float[] expectedInv = new float[rows];
        DecoderGradientKernels.layerNorm(t, rows, dim, nw, nb, 1e-5f, expectedXhat, expectedInv);
        float[] gi = fc1.apply(t, rows, Activation.GELU);
        float[] expectedOut = new float[rows * dim];
        fc2.applyResidual(gi, rows, y, expectedOut);
        GradientSums expected = sums(start);
        float[] h = fc1.apply(t, rows, Activation.NONE);
        float[] dh = h.clone();
        Gelu.apply(dh, 0, dh.length);
        Gemm.linearBackward(dOut, rows, dim, dh, hidden, fc2.weight, expected.of(P + ".fc2.weight", dim * hidden), dh);
        DecoderGradientKernels.columnSums(dOut, rows, dim, expected.of(P + ".fc2.bias", dim));
        Gelu.multiplyByDerivative(h, 0, dh, 0, dh.length);
        DecoderGradientKernels.columnSums(dh, rows, hidden, expected.of(P + ".fc1.bias", hidden));
        float[] expectedDt = new float[rows * dim];
        Gemm.linearBackward(dh, rows, hidden, t, dim, fc1.weight, expected.of(P + ".fc1.weight", hidden * dim),
                expectedDt);

        TinyVitMlpTraining mlp = new TinyVitMlpTraining(P, nw, nb, fc1, fc2);
        float[] out = new float[rows * dim];
        java.util.Arrays.fill(out, Float.NaN);
        mlp.forward(y, rows, out);
        assertThat(out).as("forward").isEqualTo(expectedOut);
        float[] inPlace = y.clone();
        mlp.forward(inPlace, rows, inPlace);
        assertThat(inPlace).as("forward into the skip connection's own array").isEqualTo(expectedOut);

        GradientSums actual = sums(start);
        float[] dt = new float[rows * dim];
        java.util.Arrays.fill(dt, Float.NaN);
        float[] dOutBefore = dOut.clone();
        float[] yBefore = y.clone();
        float[] xhat = new float[rows * dim];
        float[] inv = new float[rows];
        mlp.backward(dOut, y, rows, xhat, inv, dt, actual);
        assertThat(dt).as("dLoss/dt").isEqualTo(expectedDt);
        assertThat(xhat).as("the LayerNorm's xhat").isEqualTo(expectedXhat);
        assertThat(inv).as("the LayerNorm's 1/std").isEqualTo(expectedInv);
        for (String k : new String[]{".fc1.weight", ".fc1.bias", ".fc2.weight", ".fc2.bias"}) {
            assertThat(actual.get(P + k)).as(k).isEqualTo(expected.get(P + k));
        }
        assertThat(dOut).as("dLoss/dout is read only").isEqualTo(dOutBefore);
        assertThat(y).as("y is read only").isEqualTo(yBefore);
    }

    @org.junit.jupiter.api.Test
    void layersThatDoNotChainBackToTheWidthAreRejected() {
        Linear fc1 = new Linear(new float[8 * 4], null, 4, 8);
        Linear fc2 = new Linear(new float[8 * 3], null, 8, 3);
        assertThatThrownBy(() -> new TinyVitMlpTraining(P, new float[4], new float[4], fc1, fc2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(P);
        Linear back = new Linear(new float[8 * 4], null, 8, 4);
        assertThatThrownBy(() -> new TinyVitMlpTraining(P, new float[3], new float[4], fc1, back))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(P + ".norm");
    }

    private static GradientSums sums(float[][] start) {
        GradientSums g = new GradientSums();
        String[] keys = {".fc1.weight", ".fc1.bias", ".fc2.weight", ".fc2.bias"};
        for (int i = 0; i < keys.length; i++) {
            System.arraycopy(start[i], 0, g.of(P + keys[i], start[i].length), 0, start[i].length);
        }
        return g;
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.umedsam.model.cpu.KernelTestSupport.poisoned;
import static org.umedsam.model.cpu.KernelTestSupport.rand;
import static org.umedsam.model.cpu.KernelTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The encoder's off-heap chain gives the bits of the heap path it replaced: a LayerNorm written off-heap (the
 * Vector API's rows within rounding of it), a {@link NativeLinear} product, the in-place and to-heap
 * {@link Epilogue}s, and the neck's im2col. Buffers start poisoned with NaN, as a reused workspace buffer holds the
 * last pass's values, so a value left unwritten shows.
 */
class OffHeapChainTest {

    @ParameterizedTest(name = "{0} rows, {1} -> {2} -> {1}")
    @CsvSource({"300, 160, 640", "33, 64, 256", "17, 16, 64", "2048, 32, 128"})
    void layerNormThenMlpGivesTheBitsOfTheHeapPath(int rows, int dim, int hidden) {
        Random rnd = new Random(rows + 7L * dim);
        float[] x = rand(rnd, rows * dim);
        float[] nw = rand(rnd, dim);
        float[] nb = rand(rnd, dim);
        Linear fc1 = new Linear(rand(rnd, hidden * dim), rand(rnd, hidden), dim, hidden);
        Linear fc2 = new Linear(rand(rnd, dim * hidden), rand(rnd, dim), hidden, dim);

        // LayerNorm off-heap: the scalar rows' bits, or their values within rounding from the Vector API's rows
        // (which sum in another order)
        float[] scalarNormed = new float[rows * dim];
        LayerNorm.rows(x, 0, scalarNormed, 0, rows, dim, nw, nb, 1e-5f);
        NativeFloats normed = poisoned(rows * dim + 3);
        LayerNorm.rows(x, 0, normed, rows, dim, nw, nb, 1e-5f, false);
        assertThat(read(normed, rows * dim)).as("LayerNorm off-heap, scalar rows").isEqualTo(scalarNormed);
        if (LayerNorm.vectorRows(dim)) {
            LayerNorm.rows(x, 0, normed, rows, dim, nw, nb, 1e-5f, true);
            float[] vector = read(normed, rows * dim);
            for (int i = 0; i < vector.length; i++) {
                assertThat(vector[i]).as("LayerNorm off-heap, vector rows, value %d", i)
                        .isCloseTo(scalarNormed[i], within(1e-5f));
            }
        }
        float[] t = read(normed, rows * dim);
        NativeFloats hiddenRows = poisoned(rows * hidden + 3);
        NativeFloats product = poisoned(rows * dim + 3);

        // the heap path from the same normalised rows: Linear (Gemm, staged) with GELU, Linear with the skip
        float[] h = fc1.apply(t, rows, Activation.GELU);
        float[] expected = new float[rows * dim];
        fc2.applyResidual(h, rows, x, expected);

        NativeLinear n1 = new NativeLinear(fc1);
        NativeLinear n2 = new NativeLinear(fc2);
        n1.product(normed, rows, hiddenRows);
        Epilogue.inPlace(hiddenRows, rows, hidden, n1.bias, Activation.GELU);
        assertThat(read(hiddenRows, rows * hidden)).as("fc1 and GELU in place").isEqualTo(h);
        n2.product(hiddenRows, rows, product);
        float[] y = x.clone();
        Epilogue.toHeap(product, rows, dim, n2.bias, y, 0, Activation.NONE, y, 0);
        assertThat(y).as("fc2 and the skip, into the residual's own array").isEqualTo(expected);
    }

    @Test
    void im2colOffHeapEqualsTheHeapIm2colAndClearsThePadding() {
        Random rnd = new Random(5);
        int side = 7;
        int e = 24;
        float[] a = rand(rnd, side * side * e);
        float[] heap = new float[side * side * 9 * e];
        java.util.Arrays.fill(heap, Float.NaN);
        Neck.im2col(a, side, e, heap);
        NativeFloats col = poisoned(heap.length);
        Neck.im2col(a, side, e, col);
        assertThat(read(col, heap.length)).isEqualTo(heap);
        assertThat(heap).doesNotContain(Float.NaN);
    }

    @Test
    void nativeLinearRejectsMismatchedWeightsAndEmptyProducts() {
        assertThatThrownBy(() -> new NativeLinear(new float[6], null, 2, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in=2 out=4");
        assertThatThrownBy(() -> new NativeLinear(new float[8], new float[3], 2, 4))
                .isInstanceOf(IllegalArgumentException.class);
        NativeLinear l = new NativeLinear(new float[8], null, 2, 4);
        assertThatThrownBy(() -> l.product(new NativeFloats().ensure(4), 0, new NativeFloats()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
        assertThatThrownBy(() -> l.product(new NativeFloats().ensure(1), 1 << 20, new NativeFloats()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("view needs more");
    }

}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The Vector API LayerNorm rows against the scalar rows, written off-heap at the right place. */
class VectorLayerNormTest {

    /** These kernels load and store in a {@code ByteBuffer}, which only JDK 17's Vector API offers. */
    @BeforeAll
    static void needsBufferAccess() {
        Assumptions.assumeTrue(VectorSupport.bufferAccess(),
                "this JVM's Vector API has no ByteBuffer loads; the engine does not use these kernels here");
    }

    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {128, 160, 320})
    void matchesTheScalarRowWithinRounding(int dim) {
        Random random = new Random(dim);
        int rows = 5;
        float[] x = new float[3 + rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 2 + 0.7); // an offset, so the mean matters
        }
        float[] w = KernelTestSupport.rand(random, dim);
        float[] b = KernelTestSupport.rand(random, dim);
        NativeFloats y = KernelTestSupport.poisoned(1 + rows * dim);
        for (int r = 0; r < rows; r++) {
            VectorLayerNorm.row(x, 3 + r * dim, dim, w, b, 1e-6f, y.bytes(), 1 + r * dim);
        }
        float[] got = KernelTestSupport.read(y, 1 + rows * dim);
        assertThat(got[0]).as("before the first row").isNaN();
        float[] expected = new float[dim];
        for (int r = 0; r < rows; r++) {
            LayerNorm.row(x, 3 + r * dim, expected, 0, dim, w, b, 1e-6f);
            for (int i = 0; i < dim; i++) {
                assertThat(got[1 + r * dim + i]).as("row %d, value %d", r, i).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    @Test
    void supportsWholeVectorsOnly() {
        int lanes = VectorSupport.lanes();
        assertThat(VectorLayerNorm.supports(10 * lanes)).isTrue();
        assertThat(VectorLayerNorm.supports(10 * lanes + 1)).isFalse();
    }
}

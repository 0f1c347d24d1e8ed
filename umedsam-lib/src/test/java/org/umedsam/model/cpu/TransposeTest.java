package org.umedsam.model.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Transpose} against the definition {@code y[c, r] = x[r, c]}: shapes smaller than a block, not a whole
 * number of blocks, and a few rows by many columns (a 64-channel map, which the blocks must split by columns too).
 */
class TransposeTest {

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"1, 1", "3, 130", "64, 4096", "130, 65", "200, 7"})
    void transposes(int rows, int cols) {
        float[] x = KernelTestSupport.rand(new Random(rows * 31L + cols), rows * cols);
        float[] expected = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                expected[c * rows + r] = x[r * cols + c];
            }
        }
        float[] y = new float[rows * cols];
        Transpose.apply(x, rows, cols, y);
        assertArrayEquals(expected, y);
        float[] back = new float[rows * cols];
        Transpose.apply(y, cols, rows, back);
        assertArrayEquals(x, back);
    }
}

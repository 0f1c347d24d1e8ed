package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.Allocation;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Careless and hostile cases (issue 15): box prompts must be finite, whole, within the int range,
 * ordered and on the image (clipped to it by the documented rule); labels must be whole numbers;
 * members a case does not use are never inflated.
 */
class CaseValidationTest {
    @TempDir
    Path dir;

    Path case2d(String name, NpyArray boxes) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[64 * 48 * 3], 64, 48, 3)); // H 64, W 48
        m.put("boxes", boxes);
        Path f = dir.resolve(name);
        Npz.write(f, m, true);
        return f;
    }

    @Test
    void aCoordinateBeyondTheIntRangeIsRefusedNotWrapped() throws IOException {
        Path f = case2d("2DBox_US_0001.npz", NpyArray.ofInt64(new long[] {(1L << 32) + 60, 10, 40, 40}, 1, 4));
        assertThatThrownBy(() -> CaseReader.read(f)).isInstanceOf(IOException.class).hasMessageStartingWith(f.toString())
                .hasMessageContaining("box 0 coordinate 0 is 4294967356, outside the int range");
    }

    @Test
    void aFractionalCoordinateIsRefusedNotRounded() throws IOException {
        Path f = case2d("2DBox_US_0004.npz", NpyArray.ofFloat32(new float[] {1, 1, 5, 5, 2, 3, 10.5f, 20}, 2, 4));
        assertThatThrownBy(() -> CaseReader.read(f)).isInstanceOf(IOException.class).hasMessage(f + ": 'boxes' box 1 "
                + "coordinate 2 is 10.5, not a whole number; box coordinates must be whole pixels (they are never "
                + "rounded)");
        // whole numbers in a float dtype are fine
        Path w = case2d("2DBox_US_0005.npz", NpyArray.ofFloat64(new double[] {1, 1, 5, 5, 2, 3, 10, 20}, 2, 4));
        assertThat(CaseReader.read(w).boxes()[1]).containsExactly(2, 3, 10, 20);
    }

    @Test
    void nanAndInfiniteCoordinatesAreRefused() throws IOException {
        Path nan = case2d("2DBox_US_0002.npz", NpyArray.ofFloat64(new double[] {Double.NaN, 1, 5, 5}, 1, 4));
        assertThatThrownBy(() -> CaseReader.read(nan)).hasMessageContaining("box 0 coordinate 0 is NaN; box "
                + "coordinates must be finite");
        Path inf = case2d("2DBox_US_0003.npz", NpyArray.ofFloat32(new float[] {0, 1, Float.POSITIVE_INFINITY, 5}, 1, 4));
        assertThatThrownBy(() -> CaseReader.read(inf)).hasMessageContaining("box 0 coordinate 2 is Infinity");
    }

    @Test
    void invertedAndOutsideBoxesAreRefused() throws IOException {
        Path inv = case2d("2DBox_US_0004.npz", NpyArray.ofInt64(new long[] {1, 1, 5, 5, 30, 10, 20, 40}, 2, 4));
        assertThatThrownBy(() -> CaseReader.read(inv)).hasMessageContaining("box 1 [30, 10, 20, 40] is inverted "
                + "(x from 30 to 20)");
        Path out = case2d("2DBox_US_0005.npz", NpyArray.ofInt64(new long[] {10, 70, 20, 90}, 1, 4));
        assertThatThrownBy(() -> CaseReader.read(out)).hasMessageContaining("box 0 [10, 70, 20, 90] lies outside the "
                + "image (y 70..90, the image spans 0..64)");
        Path neg = case2d("2DBox_US_0006.npz", NpyArray.ofInt64(new long[] {-20, 0, -1, 5}, 1, 4));
        assertThatThrownBy(() -> CaseReader.read(neg)).hasMessageContaining("lies outside the image (x -20..-1");
    }

    @Test
    void boxesOverlappingTheImageAreClippedToIt() throws IOException {
        Path f = case2d("2DBox_US_0007.npz", NpyArray.ofFloat64(new double[] {-5, 3, 100, 64}, 1, 4));
        assertThat(CaseReader.read(f).boxes()[0]).containsExactly(0, 3, 48, 64);
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[4 * 8 * 8], 4, 8, 8));
        m.put("boxes", NpyArray.ofInt64(new long[] {1, 1, -3, 6, 6, 9}, 1, 6));
        Path v = dir.resolve("3DBox_CT_0008.npz");
        Npz.write(v, m, true);
        assertThat(CaseReader.read(v).boxes()[0]).containsExactly(1, 1, 0, 6, 6, 3);
    }

    @Test
    void nonIntegerLabelsAreRefused() throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[2 * 2 * 3], 2, 2, 3));
        m.put("gts", NpyArray.ofFloat32(new float[] {0, 1, 0.5f, 2}, 2, 2));
        Path f = dir.resolve("2DBox_US_0009.npz");
        Npz.write(f, m, true);
        assertThatThrownBy(() -> CaseReader.read(f)).hasMessageStartingWith(f.toString())
                .hasMessageContaining("'gts' (float32) value 0.5 at index 2 is not a whole number");
    }

    @Test
    void membersACaseDoesNotUseAreNeverInflated() throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[16 * 16 * 3], 16, 16, 3));
        m.put("gts", NpyArray.ofUint8(new byte[16 * 16], 16, 16));
        m.put("extra", NpyArray.ofUint8(new byte[96 << 20], 96 << 20)); // 96 MiB of zeros, ~100 KiB deflated
        Path f = dir.resolve("2DBox_US_0010.npz");
        Npz.write(f, m, true);
        m.clear();
        Case[] c = new Case[1];
        long allocated = Allocation.measure(() -> c[0] = CaseReader.read(f), t -> {
            throw new AssertionError(t);
        });
        assertThat(c[0].hasGts()).isTrue();
        assertThat(allocated).as("bytes allocated").isLessThan(8L << 20);
    }
}

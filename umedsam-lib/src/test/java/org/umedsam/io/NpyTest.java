package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    static final Path FIXTURES = Path.of("..", "..", "shared", "fixtures").toAbsolutePath().normalize();

    @Test
    void roundTripsEveryDtypeThroughNpy() throws IOException {
        NpyArray[] arrays = {
            NpyArray.ofUint8(new byte[] {0, 1, (byte) 255, 7, 8, 9}, 2, 3),
            NpyArray.ofInt16(new short[] {-3, 0, 32767}, 3),
            NpyArray.ofInt32(new int[] {1, -2, 3, -4}, 2, 2),
            NpyArray.ofInt64(new long[] {Long.MIN_VALUE, 5}, 2),
            NpyArray.ofFloat32(new float[] {1.5f, -2.25f}, 1, 2),
            NpyArray.ofFloat64(new double[] {Math.PI}, 1),
            NpyArray.ofBool(new boolean[] {true, false}, 2),
        };
        for (NpyArray a : arrays) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(out, a);
            assertThat(out.size() % 64).as("data starts 64-byte aligned").isEqualTo(
                    (int) (a.size() * a.dtype().bytes()) % 64);
            NpyArray b = Npy.read(new ByteArrayInputStream(out.toByteArray()), "mem");
            assertThat(b.dtype()).isEqualTo(a.dtype());
            assertThat(b.shape()).isEqualTo(a.shape());
            assertThat(b.toDoubleArray()).isEqualTo(a.toDoubleArray());
        }
    }

    @Test
    void readsTheParityFixtureInput() throws IOException {
        Path f = FIXTURES.resolve("litemedsam-parity/input_image.npy");
        assumeTrue(Files.exists(f), "shared fixtures absent");
        NpyArray a = Npy.read(f);
        assertThat(a.shape()).containsExactly(1, 3, 256, 256);
        assertThat(a.dtype()).isEqualTo(NpyDtype.FLOAT32);
        float[] v = a.toFloatArray();
        for (float x : v) {
            assertThat(x).isBetween(0f, 1f);
        }
    }

    @Test
    void npzRoundTripStoredAndCompressed(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("segs", NpyArray.ofUint8(new byte[] {0, 1, 2, 3}, 2, 2));
        m.put("spacing", NpyArray.ofFloat64(new double[] {1, 2, 3}, 3));
        for (boolean compressed : new boolean[] {true, false}) {
            Path f = dir.resolve("x" + compressed + ".npz");
            Npz.write(f, m, compressed);
            Map<String, NpyArray> back = Npz.read(f);
            assertThat(back.keySet()).containsExactly("segs", "spacing");
            assertThat(back.get("segs").toUint8Array()).isEqualTo(new byte[] {0, 1, 2, 3});
            assertThat(back.get("spacing").toDoubleArray()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void missingKeyNamesFileAndKey(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.npz");
        Npz.write(f, Map.of("imgs", NpyArray.ofUint8(new byte[4], 2, 2)), true);
        assertThatThrownBy(() -> Npz.read(f, "gts")).hasMessageContaining("a.npz").hasMessageContaining("'gts'");
    }

    @Test
    void truncatedArchiveIsReported(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.npz");
        Npz.write(f, Map.of("imgs", NpyArray.ofUint8(new byte[10000], 100, 100)), false);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> Npz.read(f)).hasMessageContaining("t.npz").hasMessageContaining("truncated");
    }
}

package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format variants written by numpy 2.4 ({@code src/test/resources/npy}, made with {@code numpy.lib.format.write_array}). */
class NpyFormatTest {
    static Path res(String name) throws URISyntaxException {
        return Path.of(NpyFormatTest.class.getResource("/npy/" + name).toURI());
    }

    /** {@code np.arange(24, dtype=int16).reshape(2,3,4) - 7}. */
    static double[] expectedInt16() {
        double[] e = new double[24];
        for (int i = 0; i < 24; i++) {
            e[i] = i - 7;
        }
        return e;
    }

    @Test
    void readsFormatVersions1To3() throws Exception {
        for (String f : new String[] {"v1_int16.npy", "v2_int16.npy", "v3_int16.npy"}) {
            NpyArray a = Npy.read(res(f));
            assertThat(a.dtype()).as(f).isEqualTo(NpyDtype.INT16);
            assertThat(a.shape()).as(f).containsExactly(2, 3, 4);
            assertThat(a.toDoubleArray()).as(f).containsExactly(expectedInt16());
        }
    }

    @Test
    void readsBigEndian() throws Exception {
        NpyArray d = Npy.read(res("be_float64.npy"));
        assertThat(d.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(d.toDoubleArray()).containsExactly(-0.5, -0.25, 0, 0.25, 0.5, 0.75);
        assertThat(Npy.read(res("be_int32.npy")).toIntArray()).containsExactly(1, -2, 300000, -400000);
        assertThat(Npy.read(res("be_uint16.npy")).toIntArray()).containsExactly(0, 1, 65535, 256);
    }

    @Test
    void readsFortranOrderInLogicalCOrder() throws Exception {
        NpyArray a = Npy.read(res("fortran_int16.npy"));
        assertThat(a.isFortranOrder()).isTrue();
        assertThat(a.toDoubleArray()).containsExactly(expectedInt16());
        assertThat(a.getDouble(1, 2, 3)).isEqualTo(1 * 12 + 2 * 4 + 3 - 7);
        NpyArray f = Npy.read(res("fortran_float32.npy"));
        float[] v = f.toFloatArray();
        for (int i = 0; i < 12; i++) {
            assertThat(v[i]).isEqualTo(i * 1.5f);
        }
    }

    @Test
    void readsBoolAndInt8() throws Exception {
        assertThat(Npy.read(res("bool.npy")).toUint8Array()).containsExactly(1, 0, 1);
        assertThat(Npy.read(res("int8.npy")).toIntArray()).containsExactly(-128, 0, 127);
    }

    @Test
    void refusesObjectArraysWithoutUnpickling() throws Exception {
        assertThatThrownBy(() -> Npy.read(res("object.npy")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("object.npy")
                .hasMessageContaining("object arrays")
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> Npz.read(res("obj_in_npz.npz")))
                .hasMessageContaining("obj_in_npz.npz:gts.npy")
                .hasMessageContaining("object arrays");
    }

    @Test
    void refusesUnsupportedDtypeNamingIt() throws Exception {
        assertThatThrownBy(() -> Npy.read(res("uint64.npy"))).hasMessageContaining("uint64.npy").hasMessageContaining("'<u8'");
    }

    @Test
    void readsNumpyStoredNpzWithFortranEntry() throws Exception {
        Map<String, NpyArray> m = Npz.read(res("mixed_stored.npz"));
        assertThat(m.keySet()).containsExactly("imgs", "gts", "spacing");
        assertThat(m.get("gts").toUint8Array()).containsExactly(0, 1, 2, 0);
        assertThat(m.get("spacing").toDoubleArray()).containsExactly(1.5, 0.7, 3.0);
        assertThat(m.get("imgs").shape()).containsExactly(2, 2, 3);
    }

    @Test
    void sharedUint8ArrayIsNotCopied() throws Exception {
        NpyArray a = Npz.read(res("mixed_stored.npz"), "imgs");
        assertThat(a.toUint8ArrayShared()).isSameAs(a.toUint8ArrayShared());
        assertThat(a.toUint8ArrayShared()).containsExactly(a.toUint8Array());
    }

    /** A Java-written {@code segs} file read back by numpy (skipped where python3 + numpy are absent). */
    @Test
    void numpyReadsJavaWrittenSegs(@TempDir Path dir) throws Exception {
        byte[] segs = new byte[2 * 3 * 4];
        for (int i = 0; i < segs.length; i++) {
            segs[i] = (byte) (i % 5 == 0 ? 250 : i % 3);
        }
        Path f = dir.resolve("3DBox_CT_0001.npz");
        Npz.write(f, Map.of("segs", NpyArray.ofUint8(segs, 2, 3, 4)), true);
        assumeTrue(pythonWithNumpy(), "python3 with numpy not available");
        Process p = new ProcessBuilder("python3", "-c",
                "import numpy as np,sys; s=np.load(sys.argv[1])['segs']; print(s.dtype, s.shape, int(s.astype(np.int64).sum()), s[1,2,3], s[0,1,0])",
                f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long sum = 0;
        for (byte b : segs) {
            sum += b & 0xFF;
        }
        assertThat(out).isEqualTo("uint8 (2, 3, 4) " + sum + " " + (segs[23] & 0xFF) + " " + (segs[4] & 0xFF));
    }

    static boolean pythonWithNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void truncatedNpyNamesWhatIsMissing(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(res("v1_int16.npy"));
        Path f = dir.resolve("cut.npy");
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        assertThatThrownBy(() -> Npy.read(f)).hasMessageContaining("cut.npy").hasMessageContaining("truncated")
                .hasMessageContaining("48 bytes of data");
    }
}

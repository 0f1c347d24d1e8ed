package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random truncations and bit flips of valid {@code .npz} and {@code .pth} files (fixed seed): every
 * reader either reads the file or throws an {@link IOException} naming it, never another
 * exception, and never allocates more than a small bound on the way.
 */
class ReaderFuzzTest {
    static final int MUTANTS = 400;
    /** Far above what a few-kilobyte file can legitimately need, far below what a bomb would take. */
    static final long MAX_ALLOCATED = 48L << 20;

    interface Reader {
        Object read(Path file) throws IOException;
    }

    /** Feeds mutants of {@code valid} to {@code reader}; returns how many were read rather than refused. */
    static int fuzz(Path dir, byte[] valid, String name, Reader reader, long seed) throws IOException {
        Random rnd = new Random(seed);
        int read = 0;
        for (int i = 0; i < MUTANTS; i++) {
            byte[] b;
            if (rnd.nextInt(3) == 0) {
                b = java.util.Arrays.copyOf(valid, rnd.nextInt(valid.length));
            } else {
                b = valid.clone();
                int flips = 1 + rnd.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            Path f = dir.resolve(i + "-" + name);
            Files.write(f, b);
            Throwable[] t = new Throwable[1];
            long allocated = Allocation.measure(() -> reader.read(f), e -> t[0] = e);
            String what = "mutant " + i + " of " + name + " (" + b.length + " bytes)";
            if (t[0] == null) {
                read++;
            } else {
                String trace = what + ": " + t[0] + " at " + java.util.Arrays.toString(
                        java.util.Arrays.copyOf(t[0].getStackTrace(), Math.min(8, t[0].getStackTrace().length)));
                assertThat(t[0]).as(trace).isInstanceOf(IOException.class);
                assertThat(t[0].getMessage()).as(trace).contains(f.toString());
            }
            assertThat(allocated).as(what + " allocated").isLessThan(MAX_ALLOCATED);
            Files.delete(f);
        }
        return read;
    }

    static Map<String, NpyArray> caseArrays() {
        Random r = new Random(3);
        byte[] img = new byte[32 * 32 * 3];
        r.nextBytes(img);
        byte[] gts = new byte[32 * 32];
        for (int i = 0; i < gts.length; i++) {
            gts[i] = (byte) (i % 32 > 8 && i / 32 > 10 ? 1 : 0);
        }
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(img, 32, 32, 3));
        m.put("gts", NpyArray.ofUint8(gts, 32, 32));
        m.put("boxes", NpyArray.ofInt64(new long[] {8, 10, 31, 31}, 1, 4));
        return m;
    }

    @Test
    void mutatedNpzFilesAreReadOrRefusedByName(@TempDir Path dir) throws IOException {
        for (boolean compressed : new boolean[] {true, false}) {
            Path valid = dir.resolve("valid.npz");
            Npz.write(valid, caseArrays(), compressed);
            byte[] bytes = Files.readAllBytes(valid);
            int read = fuzz(dir, bytes, "case.npz", f -> Npz.read(f, Set.of("imgs", "gts", "boxes")),
                    compressed ? 11 : 12);
            // stored archives survive many flips inside the data; the readers must still be exercised on failures
            assertThat(read).isLessThan(MUTANTS);
        }
    }

    @Test
    void mutatedPthFilesAreReadOrRefusedByName(@TempDir Path dir) throws IOException {
        Map<String, INDArray> sd = new LinkedHashMap<>();
        sd.put("a.weight", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 4));
        sd.put("a.bias", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8));
        sd.put("bn.num_batches_tracked", Nd4j.scalar(3L));
        Path valid = dir.resolve("valid.pth");
        PthCheckpoint.write(valid, sd);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        sd.forEach((k, v) -> shapes.put(k, v.shape()));
        byte[] bytes = Files.readAllBytes(valid);
        int read = fuzz(dir, bytes, "model.pth", f -> PthCheckpoint.read(f, shapes), 21);
        assertThat(read).isLessThan(MUTANTS);
        read += fuzz(dir, bytes, "any.pth", PthCheckpoint::read, 22);
        assertThat(read).isGreaterThan(0);
    }
}

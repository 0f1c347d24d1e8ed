package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.umedsam.io.PthCheckpointTest.global;
import static org.umedsam.io.PthCheckpointTest.unicode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code .pth} files (issue 15): every tensor is checked against its storage, its zip
 * member and the model's shapes before anything is materialised; malformed pickles give errors
 * naming the file, the member or key and the problem, never a raw runtime exception; memory
 * stays small whatever the file claims.
 */
class PthBoundsTest {
    static final long MB = 1L << 20;

    /** A pickle {@code {"w": _rebuild_tensor_v2(storage(FloatStorage, "0", numel), offset, size, stride)}}. */
    static byte[] tensorPickle(long numel, long offset, long[] size, long[] stride) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.write('}');
        unicode(p, "w");
        global(p, "torch._utils", "_rebuild_tensor_v2");
        p.write('(');
        p.write('(');
        unicode(p, "storage");
        global(p, "torch", "FloatStorage");
        unicode(p, "0");
        unicode(p, "cpu");
        integer(p, numel);
        p.write('t');
        p.write('Q');
        integer(p, offset);
        tuple(p, size);
        tuple(p, stride);
        p.write(0x89); // NEWFALSE
        global(p, "collections", "OrderedDict");
        p.write(')');
        p.write('R');
        p.write('t');
        p.write('R');
        p.write('s'); // SETITEM
        p.write('.');
        return p.toByteArray();
    }

    static void integer(ByteArrayOutputStream p, long v) {
        p.write('L'); // text LONG: any value, including negative and huge ones
        p.writeBytes((v + "L\n").getBytes(StandardCharsets.US_ASCII));
    }

    static void tuple(ByteArrayOutputStream p, long[] v) {
        p.write('(');
        for (long x : v) {
            integer(p, x);
        }
        p.write('t');
    }

    /** A checkpoint zip: {@code archive/data.pkl} and, when given, a stored or deflated storage member. */
    static Path pth(Path file, byte[] pickle, byte[] storage, boolean deflate) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            if (storage != null) {
                ZipEntry e = new ZipEntry("archive/data/0");
                e.setMethod(deflate ? ZipEntry.DEFLATED : ZipEntry.STORED);
                if (!deflate) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(storage);
                    e.setSize(storage.length);
                    e.setCompressedSize(storage.length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(storage);
                z.closeEntry();
            }
        }
        return file;
    }

    /** Reads {@code file} expecting an IOException naming it; checks the allocation bound. */
    static Throwable refused(Path file, Map<String, long[]> expected, long maxBytes) {
        Throwable[] t = new Throwable[1];
        long allocated = Allocation.ofFailing(() -> PthCheckpoint.read(file, expected), t);
        assertThat(t[0]).isInstanceOf(IOException.class);
        assertThat(t[0].getMessage()).startsWith(file.toString());
        assertThat(allocated).as("bytes allocated").isLessThan(maxBytes);
        return t[0];
    }

    @Test
    void aStrideZeroExpansionOfOneElementIsRefusedBeforeAnyIndexArray(@TempDir Path dir) throws IOException {
        Path f = pth(dir.resolve("stride0.pth"), tensorPickle(1, 0, new long[] {30000, 30000}, new long[] {0, 0}),
                new byte[4], false);
        assertThat(refused(f, null, 4 * MB)).hasMessageContaining("tensor 'w' of size [30000, 30000] holds 900000000 "
                + "elements but its storage data/0 only 1");
    }

    @Test
    void aShapeTheModelDoesNotHaveIsRefusedBeforeTheStorageIsRead(@TempDir Path dir) throws IOException {
        Path f = pth(dir.resolve("shape.pth"), tensorPickle(1 << 20, 0, new long[] {1024, 1024}, new long[] {1024, 1}),
                new byte[4 << 20], true);
        assertThat(refused(f, Map.of("w", new long[] {256}), 2 * MB))
                .hasMessageContaining("key 'w' has shape [1024, 1024], the model expects [256]");
        Throwable both = refused(f, Map.of("v", new long[] {256}), 2 * MB);
        assertThat(both).hasMessage(f + ": state dict does not match the model: 2 problem(s): unexpected key 'w';"
                + " missing key 'v'");
        // the problems travel as fields, for a caller that reports them in its own words
        assertThat(both).isInstanceOfSatisfying(StateDictMismatchException.class, m -> {
            assertThat(m.problems().count()).isEqualTo(2);
            assertThat(m.problems().first()).isEqualTo("unexpected key 'w'");
            assertThat(m.problems().all()).containsExactly("unexpected key 'w'", "missing key 'v'");
        });
    }

    @Test
    void aStorageLongerThanItsTensorNeedsIsRefused(@TempDir Path dir) throws IOException {
        // 64 MiB of zeros deflate to ~64 KiB: formerly read whole and accepted
        Path f = pth(dir.resolve("long.pth"), tensorPickle(16 << 20, 0, new long[] {4}, new long[] {1}),
                new byte[64 << 20], true);
        assertThat(refused(f, null, 4 * MB)).hasMessageContaining("storage data/0 of 'w' holds 16777216 elements, "
                + "its tensors use only 4");
    }

    @Test
    void aStorageMemberShorterOrLongerThanItsElementsIsRefused(@TempDir Path dir) throws IOException {
        Path f = pth(dir.resolve("short.pth"), tensorPickle(4, 0, new long[] {4}, new long[] {1}), new byte[8], false);
        assertThat(refused(f, null, 4 * MB)).hasMessageContaining(":archive/data/0: storage of 'w' is 8 bytes, its 4 "
                + "FloatStorage elements need 16");
        Path g = pth(dir.resolve("missing.pth"), tensorPickle(4, 0, new long[] {4}, new long[] {1}), null, false);
        assertThat(refused(g, null, 4 * MB)).hasMessageContaining("tensor 'w' refers to missing storage data/0");
    }

    @Test
    void overflowingAndNegativeSizesAreNamed(@TempDir Path dir) throws IOException {
        Path f = pth(dir.resolve("overflow.pth"), tensorPickle(4, 0, new long[] {1L << 40, 1L << 40},
                new long[] {1, 1}), new byte[16], false);
        assertThat(refused(f, null, 4 * MB)).hasMessageContaining("tensor 'w'").hasMessageContaining("overflows 64 bits");
        Path g = pth(dir.resolve("negative.pth"), tensorPickle(4, 0, new long[] {-4}, new long[] {1}), new byte[16], false);
        assertThat(refused(g, null, 4 * MB)).hasMessageContaining("tensor 'w' has size [-4]")
                .hasMessageContaining("negative values are not a tensor");
        Path h = pth(dir.resolve("outside.pth"), tensorPickle(4, 2, new long[] {4}, new long[] {1}), new byte[16], false);
        assertThat(refused(h, null, 4 * MB)).hasMessageContaining("reads element 5 of storage data/0, which holds 4");
    }

    @Test
    void reduceOnAStorageClassIsANamedError(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        global(p, "torch", "FloatStorage");
        p.write(')');
        p.write('R');
        p.write('.');
        Path f = pth(dir.resolve("reduce.pth"), p.toByteArray(), null, false);
        assertThat(refused(f, null, 4 * MB)).hasMessageContaining(":archive/data.pkl: REDUCE on torch.FloatStorage, "
                + "which cannot be called");
    }

    @Test
    void deepNestingIsBoundedNotAStackOverflow(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        int depth = 200_000;
        for (int i = 0; i < depth; i++) {
            p.write(']'); // EMPTY_LIST
        }
        for (int i = 1; i < depth; i++) {
            p.write('a'); // APPEND: each list into the one below it
        }
        p.write('.');
        Path f = pth(dir.resolve("nested.pth"), p.toByteArray(), null, false);
        assertThat(refused(f, null, 64 * MB)).hasMessageContaining("nest deeper than 100 levels");

        // the same lists as a dict key would make hashing recurse: refused as a key
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.write(0x80);
        q.write(2);
        q.write('}');
        for (int i = 0; i < depth; i++) {
            q.write(']');
        }
        for (int i = 1; i < depth; i++) {
            q.write('a');
        }
        q.write('N');
        q.write('s');
        q.write('.');
        Path g = pth(dir.resolve("key.pth"), q.toByteArray(), null, false);
        assertThat(refused(g, null, 64 * MB)).hasMessageContaining("dict key ArrayList is not a string, number or tuple");
    }

    @Test
    void aStringLongerThanThePickleIsRefusedBeforePyroliteAllocatesIt(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.write('X'); // BINUNICODE of 2^31 - 1 bytes
        p.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
        p.write('.');
        Path f = pth(dir.resolve("string.pth"), p.toByteArray(), null, false);
        assertThat(refused(f, null, 4 * MB)).hasMessageContaining("claims 2147483647 bytes, only 1 remain in the pickle");
    }

    @Test
    void aValidCheckpointStillReadsWithItsShapesChecked(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ok.pth");
        PthCheckpoint.write(f, Map.of("w", org.nd4j.linalg.factory.Nd4j.createFromArray(new float[] {1, 2, 3, 4}).reshape(2, 2)));
        var sd = PthCheckpoint.read(f, Map.of("w", new long[] {2, 2}));
        assertThat(sd.get("w").getFloat(1, 0)).isEqualTo(3f);
    }
}

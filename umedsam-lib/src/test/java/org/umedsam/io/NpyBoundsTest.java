package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code .npy} / {@code .npz} files (issue 15): each is refused with an error naming the
 * file (and member) and the problem, having allocated little whatever the header claims.
 */
class NpyBoundsTest {
    static final long MB = 1L << 20;

    /** A version 1 (or 2) {@code .npy} with the given dict and {@code data} bytes after it. */
    static byte[] npy(int version, String dict, int data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.write(h.length & 0xFF);
            b.write(h.length >> 8);
        } else {
            b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(h.length).array());
        }
        b.writeBytes(h);
        b.writeBytes(new byte[data]);
        return b.toByteArray();
    }

    /** Reads {@code file} as {@code .npy}, expecting a refusal; returns it after checking the allocation bound. */
    static Throwable refusedNpy(Path file, long maxBytes) {
        Throwable[] t = new Throwable[1];
        long allocated = Allocation.ofFailing(() -> Npy.read(file), t);
        assertThat(t[0]).isInstanceOf(IOException.class);
        assertThat(t[0].getMessage()).startsWith(file.toString());
        assertThat(allocated).as("bytes allocated").isLessThan(maxBytes);
        return t[0];
    }

    @Test
    void aSmallFileClaimingAHugeShapeIsRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bomb.npy");
        Files.write(f, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (46000, 46000), }", 120));
        assertThat(refusedNpy(f, 4 * MB)).hasMessageContaining("truncated .npy")
                .hasMessageContaining("uint8 [46000, 46000] needs 2116000000 bytes of data, the file holds 120");
    }

    @Test
    void aHeaderLengthNear2To31IsRefusedAsNumpyDoes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("header.npy");
        byte[] b = npy(2, "{}", 200);
        ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MAX_VALUE - 9);
        Files.write(f, b);
        assertThat(refusedNpy(f, 4 * MB)).hasMessageContaining(".npy header of 2147483638 bytes exceeds numpy's limit of 10000");
    }

    @Test
    void negativeDimensionsAndOverflowingShapesAreNamed(@TempDir Path dir) throws IOException {
        Path neg = dir.resolve("neg.npy");
        Files.write(neg, npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -2), }", 0));
        assertThat(refusedNpy(neg, 4 * MB)).hasMessageContaining("negative dimension -2 in shape (3, -2)");
        Path big = dir.resolve("overflow.npy");
        Files.write(big, npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", 0));
        assertThat(refusedNpy(big, 4 * MB)).hasMessageContaining("more elements than a 64-bit count (overflow)");
        Path dim = dir.resolve("dim.npy");
        Files.write(dim, npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967356,), }", 0));
        assertThat(refusedNpy(dim, 4 * MB)).hasMessageContaining("dimension 4294967356").hasMessageContaining("exceeds");
    }

    @Test
    void trailingBytesAreRefusedAndAnExactFileReads(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("long.npy");
        Files.write(f, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", 5));
        assertThat(refusedNpy(f, 4 * MB)).hasMessageContaining("trailing bytes");
        Path ok = dir.resolve("ok.npy");
        Files.write(ok, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", 4));
        assertThat(Npy.read(ok).shape()).containsExactly(4);
    }

    /** Writes a zip whose member {@code name} is stored with exactly {@code bytes}. */
    static void storedZip(Path file, Map<String, byte[]> members) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (var m : members.entrySet()) {
                ZipEntry e = new ZipEntry(m.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(m.getValue().length);
                e.setCompressedSize(m.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(m.getValue());
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(m.getValue());
                z.closeEntry();
            }
        }
    }

    @Test
    void aMemberWhoseHeaderClaimsMoreThanItsDeclaredSizeIsRefusedNamingTheMember(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("case.npz");
        storedZip(f, Map.of("imgs.npy", npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (46000, 46000), }", 120)));
        Throwable[] t = new Throwable[1];
        long allocated = Allocation.ofFailing(() -> Npz.read(f), t);
        assertThat(t[0]).isInstanceOf(IOException.class).hasMessageStartingWith(f + ":imgs.npy: truncated .npy")
                .hasMessageContaining("needs 2116000000 bytes of data, the file holds 120");
        assertThat(allocated).isLessThan(4 * MB);
    }

    @Test
    void unusedMembersAreNeverInflated(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("extra.npz");
        Map<String, NpyArray> m = new java.util.LinkedHashMap<>();
        m.put("imgs", NpyArray.ofUint8(new byte[12], 2, 2, 3));
        m.put("junk", NpyArray.ofUint8(new byte[64 << 20], 64 << 20)); // 64 MiB of zeros, deflated to ~64 KiB
        Npz.write(f, m, true);
        assertThat(Files.size(f)).isLessThan(1 << 20);
        long[] n = new long[1];
        long allocated = Allocation.measure(() -> n[0] = Npz.read(f, Set.of("imgs")).size(), t -> {
            throw new AssertionError(t);
        });
        assertThat(n[0]).isEqualTo(1);
        assertThat(allocated).as("bytes allocated").isLessThan(4 * MB);
    }

    @Test
    void aDeflatedMemberDeclaringMoreThanDeflateCanProduceIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ratio.npz");
        Npz.write(f, Map.of("imgs", NpyArray.ofUint8(new byte[5000], 5000)), true);
        byte[] b = Files.readAllBytes(f);
        // patch the central directory's uncompressed size of the only member to 2^31 - 1
        int cen = lastIndexOf(b, new byte[] {'P', 'K', 1, 2});
        ByteBuffer.wrap(b, cen + 24, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MAX_VALUE);
        Files.write(f, b);
        Throwable[] t = new Throwable[1];
        long allocated = Allocation.ofFailing(() -> Npz.read(f), t);
        assertThat(t[0]).isInstanceOf(IOException.class).hasMessageStartingWith(f + ":imgs.npy")
                .hasMessageContaining("more than deflate can produce");
        assertThat(allocated).isLessThan(4 * MB);
    }

    static int lastIndexOf(byte[] b, byte[] what) {
        outer:
        for (int i = b.length - what.length; i >= 0; i--) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

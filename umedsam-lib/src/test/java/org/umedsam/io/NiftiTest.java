package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NiftiTest {
    static final Path TEMPLATES = Path.of("/usr/share/mricron/templates");

    /** A NIfTI-1 file built by hand from the standard's byte layout. */
    static byte[] nifti(ByteOrder order, short datatype, int[] dims, float[] pixdim, float slope, float inter,
                        byte[] extension, byte[] data) {
        int extBytes = extension == null ? 0 : 8 + extension.length + (16 - (8 + extension.length) % 16) % 16;
        int voxOffset = 352 + extBytes;
        ByteBuffer b = ByteBuffer.allocate(voxOffset + data.length).order(order);
        b.putInt(0, 348);
        b.putShort(40, (short) dims.length);
        for (int i = 0; i < dims.length; i++) {
            b.putShort(42 + 2 * i, (short) dims[i]);
        }
        b.putShort(70, datatype);
        for (int i = 0; i < pixdim.length; i++) {
            b.putFloat(80 + 4 * i, pixdim[i]);
        }
        b.putFloat(108, voxOffset);
        b.putFloat(112, slope);
        b.putFloat(116, inter);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        if (extension != null) {
            b.put(348, (byte) 1);
            b.putInt(352, extBytes);
            b.putInt(356, 6);
            b.position(360);
            b.put(extension);
        }
        b.position(voxOffset);
        b.put(data);
        return b.array();
    }

    @Test
    void readsInt16WithScalingAndSpacingBothByteOrders(@TempDir Path dir) throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer d = ByteBuffer.allocate(2 * 3 * 4 * 2).order(order);
            for (int i = 0; i < 24; i++) {
                d.putShort((short) (i * 10 - 100));
            }
            byte[] ext = "1\tl_frontal\n2\tr_frontal".getBytes(StandardCharsets.ISO_8859_1);
            byte[] f = nifti(order, (short) 4, new int[] {2, 3, 4}, new float[] {0.5f, 0.7f, 2.5f}, 2f, 1f, ext, d.array());
            Path p = dir.resolve("v" + order + ".nii.gz");
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
                o.write(f);
            }
            Nifti.Volume v = Nifti.read(p);
            assertThat(v.dims()).containsExactly(2, 3, 4);
            assertThat(v.spacing()).containsExactly(0.5f, 0.7f, 2.5f);
            assertThat(v.datatype()).isEqualTo(4);
            assertThat(v.get(1, 2, 3)).isEqualTo((23 * 10 - 100) * 2f + 1f);
            assertThat(v.extensionText()).contains("2\tr_frontal");
        }
    }

    @Test
    void readsUncompressedUint8AndFloat32(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("u8.nii");
        Files.write(p, nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {2, 2}, new float[] {1, 1}, 0, 0, null,
                new byte[] {0, 1, (byte) 200, 3}));
        Nifti.Volume v = Nifti.read(p);
        assertThat(v.dims()).containsExactly(2, 2, 1);
        assertThat(v.values()).containsExactly(0, 1, 200, 3);
        ByteBuffer d = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-3f);
        Path q = dir.resolve("f.nii");
        Files.write(q, nifti(ByteOrder.LITTLE_ENDIAN, (short) 16, new int[] {2, 1, 1}, new float[] {1, 1, 1}, 1, 0, null, d.array()));
        assertThat(Nifti.read(q).values()).containsExactly(1.25f, -3f);
    }

    @Test
    void nonFiniteSlopeMeansUnscaledAsNiftiLibrariesRead(@TempDir Path dir) throws IOException {
        // nifti1_io (ITK, SimpleITK, so MedSAM) and nibabel read a NaN or infinite scl_slope as "no scaling";
        // scaling by it made every voxel NaN (the image refused as "voxel 0 is NaN", a label map as non-integer)
        for (float slope : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path p = dir.resolve("slope" + slope + ".nii");
            Files.write(p, nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {2, 2}, new float[] {1, 1}, slope, 0,
                    null, new byte[] {0, 1, 2, 3}));
            assertThat(Nifti.read(p).values()).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void nonFiniteOrNonPositiveSpacingReadsAsOne(@TempDir Path dir) throws IOException {
        // as nifti1_io reads it; an infinite pixdim was kept, passed convert's grid check against any spacing
        // (inf - 1 > 1e-3 * inf is false) and was refused only when the case was written, naming the .npz
        Path p = dir.resolve("spacing.nii");
        Files.write(p, nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {1, 1, 1},
                new float[] {Float.POSITIVE_INFINITY, Float.NaN, -2f}, 0, 0, null, new byte[] {5}));
        assertThat(Nifti.read(p).spacing()).containsExactly(1.0, 1.0, 1.0);
    }

    @Test
    void aGzippedFileWhoseChecksumOrTrailerIsWrongIsRefused(@TempDir Path dir) throws IOException {
        // data that does not compress is stored as is: a flipped bit inflates silently to a wrong voxel, and only the
        // gzip trailer's CRC-32 tells; reading stopped at the last voxel, before the trailer, so it was never checked
        byte[] f = nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {64, 64, 4}, new float[] {1, 1, 1}, 0, 0, null,
                new byte[64 * 64 * 4]);
        for (int i = 352; i < f.length; i++) {
            f[i] = (byte) (i * 31 + (i >> 7));
        }
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz) {
            {
                def.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            }
        }) {
            o.write(f);
        }
        byte[] good = gz.toByteArray();
        Path ok = dir.resolve("ok.nii.gz");
        Files.write(ok, good);
        assertThat(Nifti.read(ok).values()[100]).isEqualTo(f[452] & 0xFF);
        byte[] flipped = good.clone();
        flipped[good.length - 100] ^= 4; // a voxel near the end
        Path bad = dir.resolve("flipped.nii.gz");
        Files.write(bad, flipped);
        assertThatThrownBy(() -> Nifti.read(bad)).isInstanceOf(IOException.class).hasMessageContaining("flipped.nii.gz")
                .hasMessageContaining("corrupt");
        Path cut = dir.resolve("cut.nii.gz");
        Files.write(cut, Arrays.copyOf(good, good.length - 4)); // every voxel there, the length field cut
        assertThatThrownBy(() -> Nifti.read(cut)).isInstanceOf(IOException.class).hasMessageContaining("cut.nii.gz")
                .hasMessageContaining("truncated").hasMessageNotContaining("null");
    }

    @Test
    void errorsNameFileAndProblem(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("cut.nii");
        byte[] full = nifti(ByteOrder.LITTLE_ENDIAN, (short) 4, new int[] {10, 10, 10}, new float[] {1, 1, 1}, 0, 0, null, new byte[2000]);
        Files.write(p, Arrays.copyOf(full, 1000));
        assertThatThrownBy(() -> Nifti.read(p)).hasMessageContaining("cut.nii").hasMessageContaining("truncated");
        Path q = dir.resolve("rgb.nii");
        Files.write(q, nifti(ByteOrder.LITTLE_ENDIAN, (short) 128, new int[] {1, 1, 1}, new float[] {1, 1, 1}, 0, 0, null, new byte[3]));
        assertThatThrownBy(() -> Nifti.read(q)).hasMessageContaining("rgb.nii").hasMessageContaining("datatype 128");
    }

    @Test
    void headerClaimsBeyondTheFileAreRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
        // 30000 x 30000 x 30000 int16 claimed by a 360-byte file: refused from the file size, nothing allocated
        Path big = dir.resolve("claims.nii");
        Files.write(big, nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {1000, 1000, 1000}, new float[] {1, 1, 1},
                0, 0, null, new byte[8]));
        assertThatThrownBy(() -> Nifti.read(big)).hasMessageContaining("claims.nii")
                .hasMessageContaining("needs 1000000352 bytes, the file holds 360");
        // vox_offset far past any header extension (it was cast to a negative length before)
        byte[] f = nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {2, 2, 1}, new float[] {1, 1, 1}, 0, 0, null,
                new byte[4]);
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 3e9f);
        Path off = dir.resolve("offset.nii.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(off))) {
            o.write(f);
        }
        assertThatThrownBy(() -> Nifti.read(off)).hasMessageContaining("offset.nii.gz")
                .hasMessageContaining("vox_offset");
    }

    @Test
    void aGzippedVolumeBeyondTheHeapIsRefusedBeforeReading(@TempDir Path dir) throws IOException {
        // 2e9 uint8 voxels take 2 GB of data and 8 GB of floats: a 1.5 MB .nii.gz of zeros claiming them ended in
        // an OutOfMemoryError and a stack trace; the claim is now weighed against the heap before any read
        assumeTrue(Runtime.getRuntime().maxMemory() < 10_000_000_000L, "a heap of 10 GB or more could read it");
        byte[] f = nifti(ByteOrder.LITTLE_ENDIAN, (short) 2, new int[] {2000, 1000, 1000}, new float[] {1, 1, 1}, 0, 0,
                null, new byte[8]);
        Path p = dir.resolve("bomb.nii.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(f);
        }
        assertThatThrownBy(() -> Nifti.read(p)).isInstanceOf(IOException.class).hasMessageContaining("bomb.nii.gz")
                .hasMessageContaining("-Xmx");
    }

    @Test
    void writesWhatItReads(@TempDir Path dir) throws IOException {
        float[] v = {0, 1.5f, -1024, 7, 300, 65535};
        for (String name : new String[] {"w.nii", "w.nii.gz"}) {
            Path p = dir.resolve(name);
            Nifti.write(p, new int[] {3, 2, 1}, new double[] {0.5, 0.75, 2}, v);
            Nifti.Volume r = Nifti.read(p);
            assertThat(r.dims()).containsExactly(3, 2, 1);
            assertThat(r.spacing()).containsExactly(0.5, 0.75, 2);
            assertThat(r.values()).containsExactly(v);
            assertThat(r.get(2, 1, 0)).isEqualTo(65535);
        }
    }

    @Test
    void readsDebianTemplatesLikeNumpy() throws IOException {
        Path ch2 = TEMPLATES.resolve("ch2.nii.gz");
        assumeTrue(Files.exists(ch2), "mricron-data not installed");
        Nifti.Volume v = Nifti.read(ch2);
        assertThat(v.dims()).containsExactly(181, 217, 181);
        assertThat(v.spacing()).containsExactly(1, 1, 1);
        double s = 0;
        for (float x : v.values()) {
            s += x;
        }
        assertThat(s).isEqualTo(317151210.0);
        assertThat(v.get(10, 100, 90)).isEqualTo(121f);
        Nifti.Volume m = Nifti.read(TEMPLATES.resolve("inia19-t1-brain.nii.gz"));
        assertThat(m.dims()).containsExactly(168, 206, 128);
        assertThat(m.spacing()).containsExactly(0.5, 0.5, 0.5);
        assertThat(m.get(84, 103, 64)).isEqualTo(88.77369f);
        Nifti.Volume labels = Nifti.read(TEMPLATES.resolve("inia19-NeuroMaps.nii.gz"));
        assertThat(labels.extensionText()).contains("l_occipital_gyrus_(macaque)");
    }
}

package org.umedsam.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PthCheckpointTest {

    static final Path PTH = Path.of("..", "..", "shared", "fixtures", "litemedsam-parity", "litemedsam_perturbed.pth");

    @Test
    void readsTheParityCheckpoint() throws IOException {
        assumeTrue(Files.isRegularFile(PTH), "fixture absent: " + PTH.toAbsolutePath());
        Map<String, INDArray> sd = PthCheckpoint.read(PTH);
        assertThat(sd).hasSize(435);
        List<String> keys = new ArrayList<>(sd.keySet());
        assertThat(keys.get(0)).isEqualTo("image_encoder.patch_embed.seq.0.c.weight");
        assertThat(keys.get(434)).isEqualTo("prompt_encoder.no_mask_embed.weight");
        assertThat(sd.get("image_encoder.patch_embed.seq.0.c.weight").shape()).containsExactly(32, 3, 1, 1);
        assertThat(sd.get("mask_decoder.output_upscaling.0.weight").shape()).containsExactly(256, 64, 2, 2);
        long floats = sd.values().stream().filter(a -> a.dataType() == DataType.FLOAT).count();
        long longs = sd.values().stream().filter(a -> a.dataType() == DataType.LONG).count();
        assertThat(floats).isEqualTo(408);
        assertThat(longs).isEqualTo(27);
        assertThat(sd.get("image_encoder.patch_embed.seq.0.bn.num_batches_tracked").rank()).isZero();
    }

    @Test
    void writerOutputReadsBackByteExactInOrder(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isRegularFile(PTH), "fixture absent: " + PTH.toAbsolutePath());
        Map<String, INDArray> sd = PthCheckpoint.read(PTH);
        Path out = dir.resolve("exported.pth");
        PthCheckpoint.write(out, sd);
        Map<String, INDArray> back = PthCheckpoint.read(out);
        assertThat(new ArrayList<>(back.keySet())).isEqualTo(new ArrayList<>(sd.keySet()));
        for (String k : sd.keySet()) {
            INDArray a = sd.get(k);
            INDArray b = back.get(k);
            assertThat(b.dataType()).as(k).isEqualTo(a.dataType());
            assertThat(b.shape()).as(k).isEqualTo(a.shape());
            assertThat(b.equals(a)).as(k).isTrue();
            if (a.dataType() == DataType.FLOAT) {
                // Arrays.equals compares bit patterns in one pass; AssertJ's containsExactly took minutes here
                assertThat(java.util.Arrays.equals(b.data().asFloat(), a.data().asFloat())).as(k).isTrue();
            }
        }
        assertStoredAndAligned(out);
    }

    @Test
    void smallRoundTripKeepsTypesAndScalars(@TempDir Path dir) throws IOException {
        Map<String, INDArray> sd = new LinkedHashMap<>();
        sd.put("b.weight", Nd4j.create(new float[]{1, -2.5f, 3, 4, 5, 6}, new long[]{2, 3}, 'c'));
        sd.put("a.count", Nd4j.scalar(7L));
        sd.put("c.double", Nd4j.createFromArray(1.0, Math.PI));
        sd.put("d.ints", Nd4j.createFromArray(new int[]{1, 2, 3}));
        Path out = dir.resolve("small.pth");
        PthCheckpoint.write(out, sd);
        Map<String, INDArray> back = PthCheckpoint.read(out);
        assertThat(back.keySet()).containsExactly("b.weight", "a.count", "c.double", "d.ints");
        assertThat(back.get("b.weight")).isEqualTo(sd.get("b.weight"));
        assertThat(back.get("a.count").rank()).isZero();
        assertThat(back.get("a.count").getLong(0)).isEqualTo(7L);
        assertThat(back.get("c.double").dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(back.get("c.double").getDouble(1)).isEqualTo(Math.PI);
        assertThat(back.get("d.ints").toIntVector()).containsExactly(1, 2, 3);
        assertStoredAndAligned(out);
    }

    @Test
    void honoursOffsetAndStrideAndTheModelCheckpointForm(@TempDir Path dir) throws IOException {
        // storage 0..7; tensor = storage[2:].view as a transposed 2x3 view: offset 2, size (2,3), stride (1,2)
        // expected element (i,j) = storage[2 + i + 2j]; the last element read is storage[7]
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); p.write(2);
        p.write('}'); // EMPTY_DICT
        p.write('(');
        unicode(p, "epoch");
        p.write('K'); p.write(3);
        unicode(p, "model");
        global(p, "collections", "OrderedDict");
        p.write(')'); p.write('R');
        p.write('(');
        unicode(p, "w");
        global(p, "torch._utils", "_rebuild_tensor_v2");
        p.write('(');
        p.write('(');
        unicode(p, "storage");
        global(p, "torch", "FloatStorage");
        unicode(p, "0");
        unicode(p, "cpu");
        p.write('K'); p.write(8);
        p.write('t');
        p.write('Q');
        p.write('K'); p.write(2);
        p.write('('); p.write('K'); p.write(2); p.write('K'); p.write(3); p.write('t');
        p.write('('); p.write('K'); p.write(1); p.write('K'); p.write(2); p.write('t');
        p.write(0x89);
        global(p, "collections", "OrderedDict");
        p.write(')'); p.write('R');
        p.write('t'); p.write('R');
        p.write('u'); // SETITEMS into the OrderedDict
        p.write('u'); // SETITEMS into the outer dict
        p.write('.');
        ByteBuffer storage = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            storage.putFloat(i);
        }
        Path file = dir.resolve("ckpt.pth");
        writeZip(file, "archive", p.toByteArray(), storage.array());
        Map<String, INDArray> sd = PthCheckpoint.read(file);
        INDArray w = sd.get("w");
        assertThat(w.shape()).containsExactly(2, 3);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(w.getFloat(i, j)).isEqualTo(2 + i + 2 * j);
            }
        }
    }

    @Test
    void refusesForeignGlobals(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); p.write(2);
        global(p, "os", "system");
        unicode(p, "echo pwned");
        p.write(0x85); // TUPLE1
        p.write('R');
        p.write('.');
        Path file = dir.resolve("evil.pth");
        writeZip(file, "evil", p.toByteArray(), new byte[0]);
        assertThatThrownBy(() -> PthCheckpoint.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing global 'os.system'").hasMessageContaining("evil.pth");
    }

    @Test
    void halfToFloat() {
        assertThat(PthCheckpoint.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(PthCheckpoint.halfToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(PthCheckpoint.halfToFloat((short) 0x0001)).isEqualTo(5.960464477539063e-8f);
        assertThat(PthCheckpoint.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
    }

    /** Every entry STORED, and each entry's data starts at a multiple of 64 (as PyTorch writes). */
    static void assertStoredAndAligned(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        int entries = 0;
        while (b.getInt(pos) == 0x04034b50) {
            int method = b.getShort(pos + 8) & 0xFFFF;
            int size = b.getInt(pos + 18);
            int nameLen = b.getShort(pos + 26) & 0xFFFF;
            int extraLen = b.getShort(pos + 28) & 0xFFFF;
            int data = pos + 30 + nameLen + extraLen;
            assertThat(method).isZero();
            assertThat(data % 64).as("data offset of entry " + entries).isZero();
            pos = data + size;
            entries++;
        }
        assertThat(entries).isGreaterThanOrEqualTo(3);
    }

    static void writeZip(Path file, String top, byte[] pickle, byte[] storage0) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry(top + "/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            z.putNextEntry(new ZipEntry(top + "/data/0"));
            z.write(storage0);
            z.closeEntry();
            z.putNextEntry(new ZipEntry(top + "/version"));
            z.write("3\n".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
    }

    static void global(ByteArrayOutputStream p, String module, String name) {
        p.write('c');
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }
}

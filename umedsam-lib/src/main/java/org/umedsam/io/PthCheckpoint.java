package org.umedsam.io;

import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Pure-Java reader and writer of PyTorch {@code .pth} state dicts (the zip format of
 * {@code torch.save} since PyTorch 1.6: {@code <top>/data.pkl} plus one raw little-endian storage per
 * entry {@code <top>/data/<key>}).
 *
 * <p>Reading parses the pickle with a restricted Pyrolite ({@code net.razorvine:pickle}) unpickler
 * ({@link StateDictUnpickler}) that refuses every global except the few a state dict needs:
 * loading never instantiates arbitrary classes. Every tensor is checked against its storage, its
 * zip member and (optionally) the model's shapes before any is materialised, so memory stays
 * bounded whatever the file claims. Tensor offsets and
 * strides are honoured. float32 / float64 / int64 / int32 tensors keep their type; float16, bfloat16
 * and smaller integer types are widened to float32 / int32 / int64 respectively.
 *
 * <p>Writing produces a pickle protocol 2 {@code OrderedDict} of {@code _rebuild_tensor_v2} tensors,
 * contiguous, each in its own storage, entries stored uncompressed and 64-byte aligned as PyTorch
 * writes them, so {@code torch.load} + {@code load_state_dict(strict=True)} accepts it.
 */
public final class PthCheckpoint {

    private PthCheckpoint() {
    }

    /** Largest {@code data.pkl} read: a state dict's pickle is a few hundred kilobytes. */
    static final long MAX_PICKLE_BYTES = 64L << 20;

    /**
     * Reads the state dict of a {@code .pth} file. Accepts a bare state dict and the training-checkpoint
     * form {@code {"model": state_dict, ...}} (also {@code "state_dict"}).
     *
     * @return tensors by key, in the file's order
     */
    public static Map<String, INDArray> read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads the state dict of a {@code .pth} file, checking every tensor before any is
     * materialised: its size, strides and offset must stay inside its storage, it may not hold
     * more elements than its storage (a stride-0 expansion), each storage must be exactly as long
     * as its tensors need and its zip member exactly as long as the storage, and, when
     * {@code expectedShapes} is given, the keys must be exactly those and the shapes equal (two
     * one-element shapes, such as {@code []} and {@code [1]}, match). Memory therefore stays within the
     * expected model's size whatever the file claims.
     *
     * @param expectedShapes key to shape (PyTorch order), or null to accept any state dict
     * @return tensors by key, in the file's order
     * @throws IOException naming the file, the key or member and the problem
     */
    public static Map<String, INDArray> read(Path file, Map<String, long[]> expectedShapes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such checkpoint file: " + file);
        }
        try (ZipFile zip = Npz.openZip(file, "a zip-format PyTorch checkpoint (legacy torch.save format is not supported)")) {
            long fileBytes = Files.size(file);
            String prefix = dataPrefix(zip, file);
            Map<String, TensorRef> refs = tensors(asStateDict(readPickle(zip, prefix, file, fileBytes), file), file);
            if (expectedShapes != null) {
                checkShapes(refs, expectedShapes, file);
            }
            Map<String, Long> members = checkStorages(zip, prefix, refs, file, fileBytes);
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                out.put(e.getKey(), materialise(zip, prefix, e.getValue(), members, file, e.getKey()));
            }
            return out;
        } catch (java.util.zip.ZipException ex) {
            throw new IOException(file + ": not a zip-format PyTorch checkpoint (legacy torch.save "
                    + "format is not supported), or truncated: " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            throw new IOException(file + ": corrupt checkpoint archive: " + ex, ex);
        }
    }

    /**
     * The keys and shapes of the state dict of a {@code .pth} file, in the file's order, read without
     * materialising any tensor (so cheap whatever the file claims).
     */
    public static Map<String, long[]> shapes(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such checkpoint file: " + file);
        }
        try (ZipFile zip = Npz.openZip(file, "a zip-format PyTorch checkpoint (legacy torch.save format is not supported)")) {
            String prefix = dataPrefix(zip, file);
            Map<String, TensorRef> refs = tensors(asStateDict(readPickle(zip, prefix, file, Files.size(file)), file), file);
            Map<String, long[]> out = new LinkedHashMap<>();
            refs.forEach((k, r) -> out.put(k, r.size().clone()));
            return out;
        } catch (java.util.zip.ZipException ex) {
            throw new IOException(file + ": not a zip-format PyTorch checkpoint, or truncated: " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            throw new IOException(file + ": corrupt checkpoint archive: " + ex, ex);
        }
    }

    /** Parses {@code data.pkl} of the archive with the restricted unpickler (tensors unresolved). */
    static Object readPickle(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such checkpoint file: " + file);
        }
        try (ZipFile zip = Npz.openZip(file, "a zip-format PyTorch checkpoint (legacy torch.save format is not supported)")) {
            return readPickle(zip, dataPrefix(zip, file), file, Files.size(file));
        } catch (java.util.zip.ZipException ex) {
            throw new IOException(file + ": not a zip-format PyTorch checkpoint (legacy torch.save "
                    + "format is not supported): " + ex.getMessage(), ex);
        }
    }

    private static Object readPickle(ZipFile zip, String prefix, Path file, long fileBytes) throws IOException {
        ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
        String source = file + ":" + pkl.getName();
        long declared = Npz.declaredSize(pkl, file, fileBytes);
        if (declared > MAX_PICKLE_BYTES) {
            throw new IOException(source + ": pickle of " + declared + " bytes exceeds the " + MAX_PICKLE_BYTES
                    + " a state dict needs");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(pkl)) {
            bytes = in.readNBytes((int) Math.min(MAX_PICKLE_BYTES + 1, declared < 0 ? Long.MAX_VALUE : declared + 1));
        } catch (IOException | RuntimeException ex) {
            throw new IOException(source + ": corrupt zip member: " + ex, ex);
        }
        if (bytes.length > MAX_PICKLE_BYTES || (declared >= 0 && bytes.length != declared)) {
            throw new IOException(source + ": member holds " + bytes.length + " bytes, declares " + declared);
        }
        try {
            return StateDictUnpickler.load(bytes);
        } catch (PickleException ex) {
            throw new IOException(source + ": " + ex.getMessage(), ex);
        } catch (IOException ex) {
            throw new IOException(source + ": truncated or corrupt pickle: " + ex.getMessage(), ex);
        }
    }

    private static Map<?, ?> asStateDict(Object root, Path file) throws IOException {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IOException(file + ": top-level object is not a dict but " + StateDictUnpickler.describe(root));
        }
        boolean allTensors = map.values().stream().allMatch(v -> v instanceof TensorRef);
        if (allTensors && !map.isEmpty()) {
            return map;
        }
        for (String k : List.of("model", "state_dict", "model_state_dict")) {
            if (map.get(k) instanceof Map<?, ?> inner
                    && inner.values().stream().allMatch(v -> v instanceof TensorRef)) {
                return inner;
            }
        }
        throw new IOException(file + ": neither a state dict nor a checkpoint with a 'model' state dict; keys: "
                + map.keySet().stream().limit(10).map(StateDictUnpickler::describe).toList()
                + (map.size() > 10 ? " and " + (map.size() - 10) + " more" : ""));
    }

    /** The dict's entries as tensors, each checked against its storage's element count. */
    private static Map<String, TensorRef> tensors(Map<?, ?> dict, Path file) throws IOException {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IOException(file + ": state dict key " + StateDictUnpickler.describe(e.getKey())
                        + " is not a string");
            }
            TensorRef ref = (TensorRef) e.getValue();
            checkTensor(ref, file, key);
            out.put(key, ref);
        }
        return out;
    }

    /**
     * Refuses a tensor whose size or stride is negative, whose element count overflows or exceeds
     * what one Java array holds, which reaches outside its storage, or which holds more elements
     * than its storage (only a stride-0 expansion can, and materialising it would multiply memory).
     */
    private static void checkTensor(TensorRef ref, Path file, String key) throws IOException {
        String where = file + ": tensor '" + key + "'";
        long numel = ref.storage().numel();
        if (ref.offset() < 0) {
            throw new IOException(where + " has a negative storage offset " + ref.offset());
        }
        long n = 1;
        long last = ref.offset();
        for (int d = 0; d < ref.size().length; d++) {
            long size = ref.size()[d];
            long stride = ref.stride()[d];
            if (size < 0 || stride < 0) {
                throw new IOException(where + " has size " + Arrays.toString(ref.size()) + " and stride "
                        + Arrays.toString(ref.stride()) + ": negative values are not a tensor");
            }
            try {
                n = Math.multiplyExact(n, size);
                if (size > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size - 1, stride));
                }
            } catch (ArithmeticException ex) {
                throw new IOException(where + " has size " + Arrays.toString(ref.size()) + " and stride "
                        + Arrays.toString(ref.stride()) + ", whose extent overflows 64 bits");
            }
        }
        if (n > numel) {
            throw new IOException(where + " of size " + Arrays.toString(ref.size()) + " holds " + n
                    + " elements but its storage data/" + ref.storage().key() + " only " + numel
                    + " (stride 0 expansions are refused; save the tensor contiguous)");
        }
        if (n > 0 && last >= numel) {
            throw new IOException(where + " reads element " + last + " of storage data/" + ref.storage().key()
                    + ", which holds " + numel + " (offset/stride outside the storage)");
        }
    }

    private static void checkShapes(Map<String, TensorRef> refs, Map<String, long[]> expected, Path file)
            throws IOException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            long[] want = expected.get(e.getKey());
            long[] got = e.getValue().size();
            if (want == null) {
                problems.add("unexpected key '" + e.getKey() + "'");
            } else if (!Arrays.equals(want, got) && !(elements(want) == 1 && elements(got) == 1)) {
                problems.add("key '" + e.getKey() + "' has shape " + Arrays.toString(got) + ", the model expects "
                        + Arrays.toString(want));
            }
        }
        for (String k : expected.keySet()) {
            if (!refs.containsKey(k)) {
                problems.add("missing key '" + k + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new StateDictMismatchException(file, new StateDictProblems(problems));
        }
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /**
     * Checks every storage the tensors use: it must exist, its zip member must hold exactly
     * {@code numel x element size} bytes (within what the archive can hold), and its tensors must
     * use it to the end (a longer storage is a file padded to exhaust memory).
     *
     * @return member name to its declared length in bytes
     */
    private static Map<String, Long> checkStorages(ZipFile zip, String prefix, Map<String, TensorRef> refs, Path file,
                                                   long fileBytes) throws IOException {
        Map<String, Long> used = new HashMap<>();
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        Map<String, String> firstKey = new HashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            TensorRef r = e.getValue();
            StorageRef st = r.storage();
            StorageRef prev = storages.putIfAbsent(st.key(), st);
            firstKey.putIfAbsent(st.key(), e.getKey());
            if (prev != null && (prev.kind() != st.kind() || prev.numel() != st.numel())) {
                throw new IOException(file + ": storage data/" + st.key() + " is declared twice, as " + prev.numel()
                        + " " + prev.kind() + " and as " + st.numel() + " " + st.kind() + " (tensor '" + e.getKey() + "')");
            }
            long extent = elements(r.size()) == 0 ? 0 : r.offset() + 1 + lastOffset(r);
            used.merge(st.key(), extent, Math::max);
        }
        Map<String, Long> members = new HashMap<>();
        for (StorageRef st : storages.values()) {
            String name = prefix + "data/" + st.key();
            String key = firstKey.get(st.key());
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new IOException(file + ": tensor '" + key + "' refers to missing storage data/" + st.key());
            }
            long need = used.get(st.key());
            if (st.numel() > need) {
                throw new IOException(file + ": storage data/" + st.key() + " of '" + key + "' holds " + st.numel()
                        + " elements, its tensors use only " + need);
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(st.numel(), (long) st.kind().bytes);
            } catch (ArithmeticException ex) {
                throw new IOException(file + ": storage data/" + st.key() + " size overflows");
            }
            long declared = Npz.declaredSize(entry, file, fileBytes);
            if (declared != bytes) {
                throw new IOException(file + ":" + name + ": storage of '" + key + "' is " + declared
                        + " bytes, its " + st.numel() + " " + st.kind().pythonName + " elements need " + bytes);
            }
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ":" + name + ": storage of " + bytes + " bytes exceeds the 2 GiB one "
                        + "array holds");
            }
            members.put(st.key(), bytes);
        }
        return members;
    }

    private static long lastOffset(TensorRef r) {
        long last = 0;
        for (int d = 0; d < r.size().length; d++) {
            last += (r.size()[d] - 1) * r.stride()[d];
        }
        return last;
    }

    /** Finds the folder holding data.pkl; its name is the saved file's stem or 'archive'. */
    private static String dataPrefix(ZipFile zip, Path file) throws IOException {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith("data.pkl")) {
                return name.substring(0, name.length() - "data.pkl".length());
            }
        }
        throw new IOException(file + ": no data.pkl entry in the archive");
    }

    /** Reads a checked tensor's storage (exactly its declared length) and copies out its elements in C order. */
    private static INDArray materialise(ZipFile zip, String prefix, TensorRef ref, Map<String, Long> members,
                                        Path file, String key) throws IOException {
        String name = prefix + "data/" + ref.storage().key();
        int length = Math.toIntExact(members.get(ref.storage().key()));
        byte[] raw;
        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
            raw = in.readNBytes(length);
        } catch (IOException | RuntimeException ex) {
            throw new IOException(file + ":" + name + ": corrupt zip member: " + ex, ex);
        }
        if (raw.length < length) {
            throw new IOException(file + ":" + name + ": storage of '" + key + "' is truncated: " + raw.length
                    + " of " + length + " bytes");
        }
        StorageKind kind = ref.storage().kind();
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = ref.size();
        int n = (int) elements(shape);
        Positions at = new Positions(ref, kind.bytes);
        long[] ndShape = shape.clone();
        switch (kind) {
            case FLOAT, HALF, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (kind) {
                        case FLOAT -> buf.getFloat(at.next());
                        case HALF -> halfToFloat(buf.getShort(at.next()));
                        default -> Float.intBitsToFloat((buf.getShort(at.next()) & 0xFFFF) << 16);
                    };
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, ndShape, 'c');
            }
            case DOUBLE -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = buf.getDouble(at.next());
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, ndShape, DataType.DOUBLE);
            }
            case LONG, BYTE, CHAR, BOOL, SHORT -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    int p = at.next();
                    v[i] = switch (kind) {
                        case LONG -> buf.getLong(p);
                        case SHORT -> buf.getShort(p);
                        case CHAR -> buf.get(p);
                        default -> buf.get(p) & 0xFF;
                    };
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape(ndShape);
            }
            case INT -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = buf.getInt(at.next());
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape(ndShape);
            }
            default -> throw new IOException(file + ": unsupported storage type " + kind + " for '" + key + "'");
        }
    }

    /** Byte positions in a storage of a checked tensor's elements, in C order (no index array). */
    private static final class Positions {
        private final long[] size;
        private final long[] stride;
        private final long[] counter;
        private final int elementBytes;
        private long pos;

        Positions(TensorRef ref, int elementBytes) {
            this.size = ref.size();
            this.stride = ref.stride();
            this.counter = new long[size.length];
            this.elementBytes = elementBytes;
            this.pos = ref.offset();
        }

        int next() {
            int here = (int) (pos * elementBytes);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++counter[d] < size[d]) {
                    pos += stride[d];
                    break;
                }
                pos -= (size[d] - 1) * stride[d];
                counter[d] = 0;
            }
            return here;
        }
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat needs Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits >>> 15) << 31;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a state dict as a PyTorch zip checkpoint, atomically (temp file + rename). Float32, float64,
     * int64 and int32 arrays keep their type; other types are refused.
     */
    public static void write(Path file, Map<String, INDArray> stateDict) throws IOException {
        String archive = archiveFolder(file);
        AtomicFiles.write(file, tmp -> {
            List<byte[]> storages = new ArrayList<>();
            byte[] pickle = pickleStateDict(stateDict, storages);
            try (CountingOutputStream counting = new CountingOutputStream(Files.newOutputStream(tmp));
                 ZipOutputStream zip = new ZipOutputStream(counting)) {
                putStored(zip, counting, archive + "/data.pkl", pickle);
                putStored(zip, counting, archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < storages.size(); i++) {
                    putStored(zip, counting, archive + "/data/" + i, storages.get(i));
                }
                putStored(zip, counting, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    /** The archive's top folder, as {@code torch.save} names it: the file name without its extension. */
    private static String archiveFolder(Path file) {
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9_]", "_");
        return stem.isEmpty() ? "archive" : stem;
    }

    /** Stores an entry uncompressed with its data 64-byte aligned (padding in the extra field, as PyTorch does). */
    private static void putStored(ZipOutputStream zip, CountingOutputStream counting, String name, byte[] data)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L + 12L * 3600 * 1000); // fixed 1980-01-01 timestamp: reproducible files
        zip.flush();
        long headerStart = counting.count;
        int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
        long dataStart = headerStart + 30 + nameLen + 4;
        int pad = (int) ((64 - dataStart % 64) % 64);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) (pad & 0xFF);
        extra[3] = (byte) (pad >>> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Pickle protocol 2 opcodes for {@code OrderedDict(key -> _rebuild_tensor_v2(...))}. */
    static byte[] pickleStateDict(Map<String, INDArray> stateDict, List<byte[]> storages) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(Opcodes.PROTO);
        p.write(2);
        global(p, "collections", "OrderedDict");
        p.write(Opcodes.EMPTY_TUPLE);
        p.write(Opcodes.REDUCE);
        if (!stateDict.isEmpty()) {
            p.write(Opcodes.MARK);
            for (Map.Entry<String, INDArray> e : stateDict.entrySet()) {
                INDArray a = e.getValue();
                StorageKind kind = switch (a.dataType()) {
                    case FLOAT -> StorageKind.FLOAT;
                    case DOUBLE -> StorageKind.DOUBLE;
                    case LONG -> StorageKind.LONG;
                    case INT -> StorageKind.INT;
                    default -> throw new IOException("cannot write '" + e.getKey() + "' of type " + a.dataType());
                };
                long[] shape = a.shape();
                if (a.isScalar() && a.rank() > 0 && a.length() == 1 && shape.length == 0) {
                    shape = new long[0];
                }
                int n = (int) a.length();
                ByteBuffer buf = ByteBuffer.allocate(n * kind.bytes).order(ByteOrder.LITTLE_ENDIAN);
                INDArray flat = a.dup('c').reshape(n);
                for (int i = 0; i < n; i++) {
                    switch (kind) {
                        case FLOAT -> buf.putFloat(flat.getFloat(i));
                        case DOUBLE -> buf.putDouble(flat.getDouble(i));
                        case LONG -> buf.putLong(flat.getLong(i));
                        default -> buf.putInt(flat.getInt(i));
                    }
                }
                String storageKey = Integer.toString(storages.size());
                storages.add(buf.array());

                unicode(p, e.getKey());
                global(p, "torch._utils", "_rebuild_tensor_v2");
                p.write(Opcodes.MARK);
                // persistent id ('storage', torch.XStorage, key, 'cpu', numel)
                p.write(Opcodes.MARK);
                unicode(p, "storage");
                global(p, "torch", kind.pythonName);
                unicode(p, storageKey);
                unicode(p, "cpu");
                integer(p, n);
                p.write(Opcodes.TUPLE);
                p.write(Opcodes.BINPERSID);
                integer(p, 0); // storage offset
                intTuple(p, shape);
                long[] strides = new long[shape.length];
                long s = 1;
                for (int d = shape.length - 1; d >= 0; d--) {
                    strides[d] = s;
                    s *= shape[d];
                }
                intTuple(p, strides);
                p.write(Opcodes.NEWFALSE); // requires_grad
                global(p, "collections", "OrderedDict"); // backward hooks
                p.write(Opcodes.EMPTY_TUPLE);
                p.write(Opcodes.REDUCE);
                p.write(Opcodes.TUPLE);
                p.write(Opcodes.REDUCE);
            }
            p.write(Opcodes.SETITEMS);
        }
        p.write(Opcodes.STOP);
        return p.toByteArray();
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
        p.write(Opcodes.GLOBAL);
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write(Opcodes.BINUNICODE);
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream p, long v) {
        if (v >= 0 && v < 256) {
            p.write(Opcodes.BININT1);
            p.write((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            p.write(Opcodes.BININT);
            p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            p.write(Opcodes.LONG1);
            p.write(8);
            p.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }

    private static void intTuple(ByteArrayOutputStream p, long[] values) {
        if (values.length == 0) {
            p.write(Opcodes.EMPTY_TUPLE);
            return;
        }
        p.write(Opcodes.MARK);
        for (long v : values) {
            integer(p, v);
        }
        p.write(Opcodes.TUPLE);
    }

    // ------------------------------------------------------------------ unpickling

    enum StorageKind {
        FLOAT("FloatStorage", 4), DOUBLE("DoubleStorage", 8), HALF("HalfStorage", 2),
        BFLOAT16("BFloat16Storage", 2), LONG("LongStorage", 8), INT("IntStorage", 4),
        SHORT("ShortStorage", 2), CHAR("CharStorage", 1), BYTE("ByteStorage", 1), BOOL("BoolStorage", 1);

        final String pythonName;
        final int bytes;

        StorageKind(String pythonName, int bytes) {
            this.pythonName = pythonName;
            this.bytes = bytes;
        }

        static StorageKind of(String pythonName) {
            for (StorageKind k : values()) {
                if (k.pythonName.equals(pythonName)) {
                    return k;
                }
            }
            throw new PickleException("unsupported storage type torch." + pythonName);
        }
    }

    record StorageRef(StorageKind kind, String key, long numel) {
    }

    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** {@code collections.OrderedDict}: keeps insertion order; its {@code _metadata} attribute is kept aside. */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private Object metadata;

        public void __setstate__(HashMap<?, ?> state) {
            this.metadata = state.get("_metadata");
        }

        Object metadata() {
            return metadata;
        }
    }

    /** Reads a pickle byte string with the same restrictions (for tests of the writer). */
    static Object unpickle(byte[] pickle) throws IOException {
        return StateDictUnpickler.load(pickle);
    }
}

package org.umedsam.io;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Pure-Java reader and writer of PyTorch {@code .pth} state dicts (the zip format of
 * {@code torch.save} since PyTorch 1.6: {@code <top>/data.pkl} plus one raw little-endian storage per
 * entry {@code <top>/data/<key>}).
 *
 * <p>Reading parses the pickle with Pyrolite ({@code net.razorvine:pickle}) but refuses every global
 * except the few a state dict needs ({@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter} and the
 * {@code torch.*Storage} types): loading never instantiates arbitrary classes. Tensor offsets and
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

    /** Globals a state-dict pickle may reference; everything else is refused. */
    private static final Set<String> STORAGE_TYPES = Set.of("FloatStorage", "DoubleStorage", "HalfStorage",
            "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage",
            "BoolStorage");

    /**
     * Reads the state dict of a {@code .pth} file. Accepts a bare state dict and the training-checkpoint
     * form {@code {"model": state_dict, ...}} (also {@code "state_dict"}).
     *
     * @return tensors by key, in the file's order
     */
    public static Map<String, INDArray> read(Path file) throws IOException {
        Object root = readPickle(file);
        Map<?, ?> dict = asStateDict(root, file);
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = dataPrefix(zip, file);
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IOException(file + ": state dict key " + e.getKey() + " is not a string");
                }
                if (!(e.getValue() instanceof TensorRef ref)) {
                    throw new IOException(file + ": state dict entry '" + key + "' is not a tensor but "
                            + (e.getValue() == null ? "None" : e.getValue().getClass().getSimpleName()));
                }
                out.put(key, materialise(zip, prefix, ref, file, key));
            }
        }
        return out;
    }

    /** Parses {@code data.pkl} of the archive with the restricted unpickler (tensors unresolved). */
    static Object readPickle(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such checkpoint file: " + file);
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = dataPrefix(zip, file);
            ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
            try (InputStream in = zip.getInputStream(pkl)) {
                return new RestrictedUnpickler(file).load(in);
            } catch (PickleException ex) {
                throw new IOException(file + ": " + ex.getMessage(), ex);
            }
        } catch (java.util.zip.ZipException ex) {
            throw new IOException(file + ": not a zip-format PyTorch checkpoint (legacy torch.save "
                    + "format is not supported): " + ex.getMessage(), ex);
        }
    }

    private static Map<?, ?> asStateDict(Object root, Path file) throws IOException {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IOException(file + ": top-level object is not a dict but "
                    + (root == null ? "None" : root.getClass().getSimpleName()));
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
                + map.keySet());
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

    private static INDArray materialise(ZipFile zip, String prefix, TensorRef ref, Path file, String key)
            throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "data/" + ref.storage.key);
        if (entry == null) {
            throw new IOException(file + ": tensor '" + key + "' refers to missing storage data/" + ref.storage.key);
        }
        byte[] raw;
        try (InputStream in = zip.getInputStream(entry)) {
            raw = in.readAllBytes();
        }
        StorageKind kind = ref.storage.kind;
        long expected = ref.storage.numel * kind.bytes;
        if (raw.length < expected) {
            throw new IOException(file + ": storage " + ref.storage.key + " of '" + key + "' has " + raw.length
                    + " bytes, expected " + expected);
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = ref.size;
        int n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, (int) s);
        }
        // flat storage index of each element in C order
        long[] index = new long[n];
        long[] counter = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long pos = ref.offset;
            for (int d = 0; d < shape.length; d++) {
                pos += counter[d] * ref.stride[d];
            }
            if (pos < 0 || pos >= ref.storage.numel) {
                throw new IOException(file + ": tensor '" + key + "' reads outside its storage (offset/stride)");
            }
            index[i] = pos;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++counter[d] < shape[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        long[] ndShape = shape.clone();
        switch (kind) {
            case FLOAT, HALF, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    int at = (int) index[i] * kind.bytes;
                    v[i] = switch (kind) {
                        case FLOAT -> buf.getFloat(at);
                        case HALF -> halfToFloat(buf.getShort(at));
                        default -> Float.intBitsToFloat((buf.getShort(at) & 0xFFFF) << 16);
                    };
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, ndShape, 'c');
            }
            case DOUBLE -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = buf.getDouble((int) index[i] * 8);
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, ndShape, DataType.DOUBLE);
            }
            case LONG, BYTE, CHAR, BOOL, SHORT -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    int at = (int) index[i] * kind.bytes;
                    v[i] = switch (kind) {
                        case LONG -> buf.getLong(at);
                        case SHORT -> buf.getShort(at);
                        case CHAR -> buf.get(at);
                        default -> buf.get(at) & 0xFF;
                    };
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape(ndShape);
            }
            case INT -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = buf.getInt((int) index[i] * 4);
                }
                return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape(ndShape);
            }
            default -> throw new IOException(file + ": unsupported storage type " + kind + " for '" + key + "'");
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
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9_]", "_");
        if (stem.isEmpty()) {
            stem = "archive";
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            List<byte[]> storages = new ArrayList<>();
            byte[] pickle = pickleStateDict(stateDict, storages);
            try (CountingOutputStream counting = new CountingOutputStream(Files.newOutputStream(tmp));
                 ZipOutputStream zip = new ZipOutputStream(counting)) {
                putStored(zip, counting, stem + "/data.pkl", pickle);
                putStored(zip, counting, stem + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < storages.size(); i++) {
                    putStored(zip, counting, stem + "/data/" + i, storages.get(i));
                }
                putStored(zip, counting, stem + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
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

    private static final class RestrictedUnpickler extends Unpickler {
        private final Path file;

        RestrictedUnpickler(Path file) {
            this.file = file;
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case Opcodes.GLOBAL -> {
                    String module = readLine();
                    String name = readLine();
                    stack.add(resolve(module, name));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.STACK_GLOBAL -> {
                    String name = (String) stack.pop();
                    String module = (String) stack.pop();
                    stack.add(resolve(module, name));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.SETITEMS -> {
                    // Pyrolite collects the items in a HashMap first, losing the file's key order
                    List<Object> items = stack.pop_all_since_marker();
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        dict.put(items.get(i), items.get(i + 1));
                    }
                    return NO_RETURN_VALUE;
                }
                case Opcodes.SETITEM -> {
                    Object value = stack.pop();
                    Object k = stack.pop();
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                    dict.put(k, value);
                    return NO_RETURN_VALUE;
                }
                case Opcodes.INST, Opcodes.OBJ, Opcodes.NEWOBJ, Opcodes.NEWOBJ_EX, Opcodes.EXT1, Opcodes.EXT2,
                     Opcodes.EXT4 -> throw new PickleException(file + ": pickle opcode " + key
                        + " (object instantiation) is not allowed in a checkpoint");
                default -> {
                    return super.dispatch(key);
                }
            }
        }

        private String readLine() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = input.read()) != '\n') {
                if (c < 0) {
                    throw new PickleException("truncated pickle");
                }
                sb.append((char) c);
            }
            return sb.toString();
        }

        private Object resolve(String module, String name) {
            String qualified = module + "." + name;
            if (qualified.equals("collections.OrderedDict")) {
                return (IObjectConstructor) args -> new OrderedDict();
            }
            if (qualified.equals("torch._utils._rebuild_tensor_v2")) {
                return (IObjectConstructor) PthCheckpoint::rebuildTensor;
            }
            if (qualified.equals("torch._utils._rebuild_parameter")) {
                return (IObjectConstructor) args -> args[0];
            }
            if (module.equals("torch") && STORAGE_TYPES.contains(name)) {
                return StorageKind.of(name);
            }
            throw new PickleException(file + ": refusing global '" + qualified
                    + "': a state dict needs only OrderedDict, tensors and storages");
        }

        @Override
        protected Object persistentLoad(Object pid) {
            if (pid instanceof Object[] t && t.length == 5 && "storage".equals(t[0]) && t[1] instanceof StorageKind kind) {
                return new StorageRef(kind, String.valueOf(t[2]), ((Number) t[4]).longValue());
            }
            throw new PickleException(file + ": unsupported persistent id " + java.util.Arrays.deepToString(
                    pid instanceof Object[] a ? a : new Object[]{pid}));
        }
    }

    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef storage)) {
            throw new PickleException("_rebuild_tensor_v2 with unexpected arguments");
        }
        return new TensorRef(storage, ((Number) args[1]).longValue(), longs(args[2]), longs(args[3]));
    }

    private static long[] longs(Object tuple) {
        Object[] t = (Object[]) tuple;
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = ((Number) t[i]).longValue();
        }
        return out;
    }

    /** Reads a pickle byte string with the same restrictions (for tests of the writer). */
    static Object unpickle(byte[] pickle) throws IOException {
        return new RestrictedUnpickler(Path.of("<memory>")).load(new ByteArrayInputStream(pickle));
    }
}

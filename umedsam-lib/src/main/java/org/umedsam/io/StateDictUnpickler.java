package org.umedsam.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;
import org.umedsam.io.PthCheckpoint.OrderedDict;
import org.umedsam.io.PthCheckpoint.StorageKind;
import org.umedsam.io.PthCheckpoint.StorageRef;
import org.umedsam.io.PthCheckpoint.TensorRef;

/**
 * The restricted unpickler of {@code data.pkl}: Pyrolite's opcode loop with every global refused
 * except the few a state dict needs ({@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter} and the
 * {@code torch.*Storage} types), so loading never instantiates arbitrary classes. Tensors come
 * back unresolved ({@link TensorRef}); nothing here reads a storage.
 *
 * <p>Hostile pickles are bounded: the pickle is read whole from memory (its size is capped by the
 * caller), a length-prefixed string or bytes longer than what is left is refused before Pyrolite
 * allocates it, containers may nest at most {@link #MAX_NESTING} levels, dictionary keys must be
 * strings, numbers or tuples (a list as key would make hashing recurse without bound), sets are
 * refused, and every malformed argument is reported as a {@link PickleException}, never as a
 * {@code ClassCastException}.
 */
final class StateDictUnpickler extends Unpickler {
    /** Deepest container nesting accepted; a state dict needs about five. */
    static final int MAX_NESTING = 100;

    private static final Set<String> STORAGE_TYPES = Set.of("FloatStorage", "DoubleStorage", "HalfStorage",
            "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage",
            "BoolStorage");

    private final ByteArrayInputStream bytes;

    private StateDictUnpickler(byte[] pickle) {
        this.bytes = new ByteArrayInputStream(pickle);
    }

    /**
     * Unpickles {@code pickle}.
     *
     * @throws PickleException for anything a state dict would not contain, with the problem named
     */
    static Object load(byte[] pickle) throws IOException {
        StateDictUnpickler u = new StateDictUnpickler(pickle);
        Object root;
        try {
            root = u.load(u.bytes);
        } catch (StackOverflowError e) {
            throw new PickleException("pickle nests too deeply");
        } catch (PickleException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PickleException("malformed pickle (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        depth(root, 0, new IdentityHashMap<>());
        return root;
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
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(name instanceof String n) || !(module instanceof String m)) {
                    throw new PickleException("STACK_GLOBAL needs two strings");
                }
                stack.add(resolve(m, n));
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS -> {
                // Pyrolite collects the items in a HashMap first, losing the file's key order
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> dict = dictOnTop("SETITEMS");
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(checkedKey(items.get(i)), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM -> {
                Object value = stack.pop();
                Object k = stack.pop();
                dictOnTop("SETITEM").put(checkedKey(k), value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.DICT -> {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> dict = new java.util.LinkedHashMap<>();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(checkedKey(items.get(i)), items.get(i + 1));
                }
                stack.add(dict);
                return NO_RETURN_VALUE;
            }
            case Opcodes.REDUCE -> {
                Object args = stack.pop();
                Object callable = stack.pop();
                if (!(callable instanceof IObjectConstructor constructor)) {
                    throw new PickleException("REDUCE on " + describe(callable) + ", which cannot be called");
                }
                if (!(args instanceof Object[] a)) {
                    throw new PickleException("REDUCE with arguments " + describe(args) + " instead of a tuple");
                }
                stack.add(constructor.construct(a));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BINSTRING, Opcodes.BINUNICODE, Opcodes.BINBYTES, Opcodes.LONG4 -> {
                checkLength(4, key);
                return super.dispatch(key);
            }
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8, Opcodes.FRAME -> {
                checkLength(8, key);
                return super.dispatch(key);
            }
            case Opcodes.EMPTY_SET, Opcodes.FROZENSET, Opcodes.ADDITEMS -> throw new PickleException(
                    "pickle opcode " + key + " (set) is not part of a state dict");
            case Opcodes.INST, Opcodes.OBJ, Opcodes.NEWOBJ, Opcodes.NEWOBJ_EX, Opcodes.EXT1, Opcodes.EXT2,
                 Opcodes.EXT4 -> throw new PickleException("pickle opcode " + key
                    + " (object instantiation) is not allowed in a checkpoint");
            default -> {
                return super.dispatch(key);
            }
        }
    }

    /** Refuses a length prefix (little-endian, {@code width} bytes) longer than the pickle's remainder. */
    private void checkLength(int width, short opcode) throws IOException {
        bytes.mark(0);
        byte[] b = bytes.readNBytes(width);
        bytes.reset();
        if (b.length < width) {
            throw new PickleException("truncated pickle (opcode " + opcode + ")");
        }
        long n = 0;
        for (int i = width - 1; i >= 0; i--) {
            n = (n << 8) | (b[i] & 0xFF);
        }
        long left = bytes.available() - width;
        if (n < 0 || n > left) {
            throw new PickleException("opcode " + opcode + " claims " + (n < 0 ? "more than 2^63" : n)
                    + " bytes, only " + left + " remain in the pickle");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOnTop(String opcode) {
        Object top = stack.peek();
        if (!(top instanceof Map<?, ?>)) {
            throw new PickleException(opcode + " on " + describe(top) + ", which is not a dict");
        }
        return (Map<Object, Object>) top;
    }

    /** Keys whose hash never recurses: strings, numbers, booleans, None and tuples (identity). */
    private static Object checkedKey(Object k) {
        if (k == null || k instanceof String || k instanceof Number || k instanceof Boolean || k instanceof Object[]) {
            return k;
        }
        throw new PickleException("dict key " + describe(k) + " is not a string, number or tuple");
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

    private static Object resolve(String module, String name) {
        String qualified = module + "." + name;
        if (qualified.equals("collections.OrderedDict")) {
            return (IObjectConstructor) args -> new OrderedDict();
        }
        if (qualified.equals("torch._utils._rebuild_tensor_v2")) {
            return (IObjectConstructor) StateDictUnpickler::rebuildTensor;
        }
        if (qualified.equals("torch._utils._rebuild_parameter")) {
            return (IObjectConstructor) args -> {
                if (args.length < 1) {
                    throw new PickleException("_rebuild_parameter without a tensor");
                }
                return args[0];
            };
        }
        if (module.equals("torch") && STORAGE_TYPES.contains(name)) {
            return StorageKind.of(name);
        }
        throw new PickleException("refusing global '" + abbreviate(qualified)
                + "': a state dict needs only OrderedDict, tensors and storages");
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (pid instanceof Object[] t && t.length == 5 && "storage".equals(t[0]) && t[1] instanceof StorageKind kind
                && (t[2] instanceof String || t[2] instanceof Number) && t[4] instanceof Number numel) {
            long n = numel.longValue();
            if (n < 0) {
                throw new PickleException("storage data/" + t[2] + " has a negative size " + n);
            }
            return new StorageRef(kind, String.valueOf(t[2]), n);
        }
        throw new PickleException("unsupported persistent id " + abbreviate(Arrays.deepToString(
                pid instanceof Object[] a ? a : new Object[] {pid})));
    }

    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef storage) || !(args[1] instanceof Number offset)) {
            throw new PickleException("_rebuild_tensor_v2 with unexpected arguments");
        }
        long[] size = longs(args[2], "size");
        long[] stride = longs(args[3], "stride");
        if (size.length != stride.length) {
            throw new PickleException("_rebuild_tensor_v2 with size " + Arrays.toString(size) + " but stride "
                    + Arrays.toString(stride));
        }
        return new TensorRef(storage, offset.longValue(), size, stride);
    }

    private static long[] longs(Object tuple, String what) {
        if (!(tuple instanceof Object[] t) || t.length > 64) {
            throw new PickleException("_rebuild_tensor_v2 " + what + " is " + describe(tuple)
                    + ", not a tuple of at most 64 integers");
        }
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            if (!(t[i] instanceof Number n) || t[i] instanceof Double || t[i] instanceof Float) {
                throw new PickleException("_rebuild_tensor_v2 " + what + " holds " + describe(t[i])
                        + ", not an integer");
            }
            if (n instanceof java.math.BigInteger b && b.bitLength() > 63) {
                throw new PickleException("_rebuild_tensor_v2 " + what + " holds " + b + ", beyond 64 bits");
            }
            out[i] = n.longValue();
        }
        return out;
    }

    /**
     * Nesting depth of an unpickled value, refusing more than {@link #MAX_NESTING} levels (a cycle
     * counts as too deep). Recursion is bounded by the limit; shared values are measured once.
     */
    private static int depth(Object v, int level, IdentityHashMap<Object, Integer> seen) {
        if (level > MAX_NESTING) {
            throw new PickleException("containers nest deeper than " + MAX_NESTING + " levels");
        }
        Iterable<?> children;
        if (v instanceof Object[] a) {
            children = Arrays.asList(a);
        } else if (v instanceof java.util.Collection<?> c) {
            children = c;
        } else if (v instanceof Map<?, ?> m) {
            children = m.values();
        } else {
            return 0;
        }
        Integer known = seen.get(v);
        if (known != null) {
            if (known < 0 || level + known > MAX_NESTING) {
                throw new PickleException("containers nest deeper than " + MAX_NESTING + " levels (or in a cycle)");
            }
            return known;
        }
        seen.put(v, -1);
        int d = 0;
        for (Object c : children) {
            d = Math.max(d, 1 + depth(c, level + 1, seen));
        }
        seen.put(v, d);
        return d;
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof StorageKind k) {
            return "torch." + k.pythonName;
        }
        if (o instanceof String s) {
            return "'" + abbreviate(s) + "'";
        }
        if (o instanceof Object[]) {
            return "a tuple";
        }
        return o.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}

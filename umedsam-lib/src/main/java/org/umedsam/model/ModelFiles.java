package org.umedsam.model;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
import org.umedsam.io.PthCheckpoint;

/**
 * The one place model weights are read from and written to files. Three kinds, told apart by the
 * extension ({@link Kind#of}):
 * <ul>
 *   <li>{@link Kind#MODEL} (any extension but the two below; {@code .npz} by convention): umedsam's own
 *       format, every state-dict entry under its upstream name plus {@value #CONFIG_ENTRY}, the
 *       {@link ModelConfig} as UTF-8 JSON bytes; an uncompressed {@code .npz}, written atomically.
 *       Shipped models ({@link ShippedModels}) are such files, and their names stand for them
 *       everywhere a file is asked for ({@code small-base});</li>
 *   <li>{@link Kind#PTH} ({@code .pth}, {@code .pt}): a PyTorch state dict with the upstream key names
 *       (bare or {@code {"model": ...}}), e.g. the released {@code lite_medsam.pth}; it records no
 *       configuration, so it is read as the preset its tensors' shapes fit (from the archive's metadata, LiteMedSAM
 *       when none fits) unless one is given, and checked against that configuration's shapes before any tensor is
 *       materialised;</li>
 *   <li>{@link Kind#CHECKPOINT} ({@code .ckpt}): a training checkpoint ({@code org.umedsam.train.Checkpoint});
 *       its weights are the entries {@value #PARAMETERS_PREFIX}NAME and {@value #BUFFERS_PREFIX}NAME, the
 *       rest (optimizer state, log-sigmas, run position) is not the model's. It records no configuration
 *       either: without one, the preset ({@link ModelConfig#NAMES}) whose layout the weights fit is used.</li>
 * </ul>
 * Loading is strict: every state-dict entry of the configuration must be in the file with its shape, and
 * the file may hold no other weight; the error names the file and the keys.
 */
public final class ModelFiles {
    /** Entry of a {@link Kind#MODEL} file holding the {@link ModelConfig} as UTF-8 JSON bytes. */
    public static final String CONFIG_ENTRY = "__config__";
    /** Prefix of a {@link Kind#CHECKPOINT}'s trainable parameters. */
    public static final String PARAMETERS_PREFIX = "parameters/";
    /** Prefix of a {@link Kind#CHECKPOINT}'s buffers (BatchNorm statistics, the prompt encoder's Fourier matrix). */
    public static final String BUFFERS_PREFIX = "buffers/";

    /** The kinds of weights file. */
    public enum Kind {
        /** umedsam's model file ({@link LiteMedSam#save}). */
        MODEL,
        /** An upstream PyTorch state dict. */
        PTH,
        /** A umedsam training checkpoint. */
        CHECKPOINT;

        /** The kind of a file, from its extension (case-insensitive). */
        public static Kind of(Path file) {
            Path name = file.getFileName();
            String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".pth") || n.endsWith(".pt")) {
                return PTH;
            }
            return n.endsWith(".ckpt") ? CHECKPOINT : MODEL;
        }
    }

    private ModelFiles() {
    }

    /**
     * A model from a weights file or a shipped model's name: a model file with its own configuration, a
     * {@code .pth} or {@code .ckpt} as the preset its weights fit (told from the {@code .pth}'s shapes before any
     * tensor is read; a {@code .pth} that fits none loads as LiteMedSAM, whose error names the mismatches).
     */
    public static LiteMedSam load(Path fileOrName) throws IOException {
        Path file = ShippedModels.resolve(fileOrName);
        return switch (Kind.of(file)) {
            case MODEL -> readModel(file);
            case PTH -> {
                String preset = presetOf(file);
                yield load(file, preset == null ? ModelConfig.liteMedSam() : ModelConfig.named(preset));
            }
            case CHECKPOINT -> {
                Map<String, INDArray> sd = readCheckpoint(file);
                ModelConfig c = presetOf(sd);
                if (c == null) {
                    throw new IOException(file + ": its weights fit none of the model presets " + ModelConfig.NAMES);
                }
                yield of(c, sd, file);
            }
        };
    }

    /** A model of {@code config} with the weights of any kind of file (or shipped model's name); strict. */
    public static LiteMedSam load(Path fileOrName, ModelConfig config) throws IOException {
        Path file = ShippedModels.resolve(fileOrName);
        return of(config, readStateDict(file, shapes(config)), file);
    }

    /**
     * The weights of any kind of file (or shipped model's name) as upstream-named arrays; a {@code .pth} is
     * checked against {@code expectedShapes} (when given) before any tensor is materialised, so a hostile
     * file cannot exhaust memory.
     */
    public static Map<String, INDArray> readStateDict(Path fileOrName, Map<String, long[]> expectedShapes)
            throws IOException {
        Path file = ShippedModels.resolve(fileOrName);
        return switch (Kind.of(file)) {
            case PTH -> PthCheckpoint.read(file, expectedShapes);
            case CHECKPOINT -> readCheckpoint(file);
            case MODEL -> readModel(file).stateDict();
        };
    }

    /** Writes {@code model} as a {@link Kind#MODEL} file ({@code .npz}, atomically). */
    public static void save(LiteMedSam model, Path file) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        byte[] json = new Gson().toJson(model.config()).getBytes(StandardCharsets.UTF_8);
        arrays.put(CONFIG_ENTRY, NpyArray.ofUint8(json, json.length));
        for (Map.Entry<String, INDArray> e : model.state().entrySet()) {
            INDArray a = e.getValue();
            int[] shape = Arrays.stream(a.shape()).mapToInt(Math::toIntExact).toArray();
            arrays.put(e.getKey(), switch (a.dataType()) {
                case LONG -> NpyArray.ofInt64(a.dup('c').data().asLong(), shape);
                case DOUBLE -> NpyArray.ofFloat64(a.dup('c').data().asDouble(), shape);
                default -> NpyArray.ofFloat32(NdArrays.toHeap(a), shape);
            });
        }
        Npz.write(file, arrays, false);
    }

    /** Writes {@code model} as a PyTorch {@code .pth} that {@code load_state_dict(strict=True)} accepts (float32). */
    public static void exportPth(LiteMedSam model, Path file) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        model.state().forEach((k, v) -> out.put(k, v.dataType() == DataType.DOUBLE ? v.castTo(DataType.FLOAT) : v));
        PthCheckpoint.write(file, out);
    }

    private static LiteMedSam readModel(Path file) throws IOException {
        Map<String, NpyArray> arrays = Npz.read(file);
        NpyArray cfg = arrays.remove(CONFIG_ENTRY);
        if (cfg == null) {
            throw new IOException(file + ": no " + CONFIG_ENTRY + " entry; not a umedsam model file");
        }
        ModelConfig c;
        try {
            c = new Gson().fromJson(new String(cfg.toUint8Array(), StandardCharsets.UTF_8), ModelConfig.class);
            // through the canonical constructor, whose checks Gson skips
            c = new ModelConfig(c.imageSize(), c.embedDims(), c.depths(), c.numHeads(), c.windowSizes(),
                    c.mergeStrides(), c.mlpRatio(), c.mbconvExpandRatio(), c.promptEmbedDim(), c.transformerDepth(),
                    c.transformerMlpDim(), c.transformerHeads(), c.attentionDownsample(), c.numMultimaskOutputs(),
                    c.iouHeadDepth(), c.iouHeadHiddenDim());
        } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
            throw new IOException(file + ": unreadable " + CONFIG_ENTRY + ": " + e.getMessage(), e);
        }
        Map<String, INDArray> sd = new LinkedHashMap<>();
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            sd.put(e.getKey(), array(e.getValue()));
        }
        return of(c, sd, file);
    }

    /** The parameters and buffers of a training checkpoint, without the optimizer state and the rest. */
    private static Map<String, INDArray> readCheckpoint(Path file) throws IOException {
        Map<String, INDArray> sd = new LinkedHashMap<>();
        for (Map.Entry<String, NpyArray> e : Npz.read(file).entrySet()) {
            String k = e.getKey();
            if (k.startsWith(PARAMETERS_PREFIX)) {
                sd.put(k.substring(PARAMETERS_PREFIX.length()), array(e.getValue()));
            } else if (k.startsWith(BUFFERS_PREFIX)) {
                sd.put(k.substring(BUFFERS_PREFIX.length()), array(e.getValue()));
            }
        }
        if (sd.isEmpty()) {
            throw new IOException(file + ": no " + PARAMETERS_PREFIX + " or " + BUFFERS_PREFIX
                    + " entries; not a umedsam training checkpoint");
        }
        return sd;
    }

    /** The first preset whose state-dict layout {@code sd} fits (keys and element counts), or null. */
    private static ModelConfig presetOf(Map<String, INDArray> sd) {
        for (String name : ModelConfig.NAMES) {
            ModelConfig c = ModelConfig.named(name);
            List<ParamSpec> layout = WeightMapping.layout(c);
            boolean fits = layout.size() == sd.size();
            for (int i = 0; fits && i < layout.size(); i++) {
                INDArray a = sd.get(layout.get(i).key());
                fits = a != null && a.length() == Math.max(1, layout.get(i).numel());
            }
            if (fits) {
                return c;
            }
        }
        return null;
    }

    /**
     * The preset ({@link ModelConfig#NAMES}) whose weights {@code fileOrName} holds, told by its keys and shapes
     * (a {@code .pth} is not materialised), or null when it fits none or cannot be read. For error messages: a
     * file refused by one preset may be the other's.
     */
    public static String presetOf(Path fileOrName) {
        try {
            Path file = ShippedModels.resolve(fileOrName);
            Map<String, long[]> got = new LinkedHashMap<>();
            if (Kind.of(file) == Kind.PTH) {
                got.putAll(PthCheckpoint.shapes(file));
            } else {
                readStateDict(file, null).forEach((k, v) -> got.put(k, v.shape()));
            }
            for (String name : ModelConfig.NAMES) {
                if (sameShapes(shapes(ModelConfig.named(name)), got)) {
                    return name;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no hint then
        }
        return null;
    }

    /** The state dict's keys and shapes of a model of {@code preset}. */
    public static Map<String, long[]> shapes(String preset) {
        return shapes(ModelConfig.named(preset));
    }

    /** Whether two key-to-shape maps hold the same keys with equal shapes (two one-element shapes are equal). */
    public static boolean sameShapes(Map<String, long[]> a, Map<String, long[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, long[]> e : a.entrySet()) {
            long[] x = e.getValue();
            long[] y = b.get(e.getKey());
            if (!Arrays.equals(x, y) && !(numel(x) == 1 && numel(y) == 1)) {
                return false;
            }
        }
        return true;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    private static Map<String, long[]> shapes(ModelConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParamSpec p : WeightMapping.layout(config)) {
            shapes.put(p.key(), p.shape());
        }
        return shapes;
    }

    /** A model of {@code config} holding {@code sd}; strict, the error names {@code file}. */
    private static LiteMedSam of(ModelConfig config, Map<String, INDArray> sd, Path file) {
        WeightMapping.check(config, sd, file.toString()); // before the (costly) random initialisation
        LiteMedSam m = LiteMedSam.create(config, 0L);
        m.loadStateDict(sd, file.toString());
        return m;
    }

    /** An NPY array as an INDArray of its own type (float32, float64 or int64; rank 0 stays a scalar). */
    private static INDArray array(NpyArray a) {
        long[] shape = Arrays.stream(a.shape()).asLongStream().toArray();
        return switch (a.dtype()) {
            case INT64 -> shape.length == 0 ? Nd4j.scalar(a.toLongArray()[0]) : Nd4j.createFromArray(a.toLongArray()).reshape(shape);
            case FLOAT64 -> Nd4j.create(a.toDoubleArray(), shape, DataType.DOUBLE);
            default -> {
                float[] v = a.toFloatArray();
                yield NdArrays.fromHeap(v, v.length, shape); // rank 0 included: a scalar
            }
        };
    }
}

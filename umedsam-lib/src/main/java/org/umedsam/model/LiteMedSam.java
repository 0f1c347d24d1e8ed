package org.umedsam.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * LiteMedSAM (image encoder, prompt encoder, mask decoder), numerically matching the upstream PyTorch model
 * (bowang-lab/MedSAM, branch LiteMedSAM): its state and the {@link Engine} that runs its passes.
 *
 * <p><b>State.</b> All state-dict entries live in one map keyed by the upstream names, in PyTorch shapes (see
 * {@link WeightMapping}). {@link #parameters()} and {@link #buffers()} return the live arrays. Code that writes
 * them in place ({@code addi}, {@code assign}) announces it with {@link #weightsChanged}, which advances the
 * image encoder's and the decoder's weight versions ({@link #encoderWeightVersion}, {@link #decoderWeightVersion});
 * {@link #loadStateDict} and {@link #applyBatchNormStatistics} do so themselves. Engines may keep weight copies
 * per version (the CPU engine's evaluation-mode encoder and inference decoder do); the passes that can be
 * differentiated, and {@link #decode}, see unannounced writes too (SAM's perturbed weights).
 *
 * <p><b>Engines.</b> {@link Engine.Kind#CPU} (the default, {@code org.umedsam.model.cpu}) runs every pass of a
 * float32 model, the whole backward pass included; {@link Engine.Kind#SAMEDIFF} ({@code org.umedsam.model.samediff})
 * is the reference, and runs double-precision models, {@link #trace}, and what the CPU engine does not cover
 * (gradients from an embedding for parameters other than the mask decoder's). The engines are found with
 * {@link ServiceLoader}, so this package depends on neither.
 *
 * <p>Not thread-safe: one model per thread, or synchronise externally.
 */
public final class LiteMedSam {

    private final ModelConfig config;
    private final DataType dtype;
    private final LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
    private final Set<String> trainable = new LinkedHashSet<>();
    /** The engine asked for; {@link #engine()} falls back to the reference for what it cannot run. */
    private Engine.Kind engineKind = Engine.Kind.CPU;
    private final Map<Engine.Kind, Engine> engines = new EnumMap<>(Engine.Kind.class);
    /** Advanced whenever the image encoder's weights or BatchNorm statistics may have changed. */
    private long encoderVersion;
    /** Advanced whenever the prompt encoder's or mask decoder's weights may have changed. */
    private long decoderVersion;

    private LiteMedSam(ModelConfig config, DataType dtype) {
        this.config = config;
        this.dtype = dtype;
    }

    // ------------------------------------------------------------------ creation and state

    /** Random initialisation (PyTorch / TinyViT rules, {@link ParamSpec.Init}), deterministic in the seed. */
    public static LiteMedSam create(ModelConfig config, long seed) {
        return create(config, seed, DataType.FLOAT);
    }

    /** As {@link #create(ModelConfig, long)} with float arrays of the given type (FLOAT, or DOUBLE for gradient checks). */
    public static LiteMedSam create(ModelConfig config, long seed, DataType dtype) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        LiteMedSam m = new LiteMedSam(config, dtype);
        for (ParamSpec s : WeightMapping.layout(config)) {
            Random r = new Random(seed * 0x9E3779B97F4A7C15L ^ s.key().hashCode());
            m.state.put(s.key(), initial(s, r, dtype));
            if (s.trainable()) {
                m.trainable.add(s.key());
            }
        }
        return m;
    }

    private static INDArray initial(ParamSpec s, Random r, DataType dtype) {
        int n = (int) s.numel();
        double[] v = new double[n];
        switch (s.init()) {
            case BATCH_COUNT -> {
                return Nd4j.scalar(0L);
            }
            case ONES, RUNNING_VAR -> java.util.Arrays.fill(v, 1.0);
            case ZEROS, RUNNING_MEAN -> {
            }
            case NORMAL, GAUSSIAN_BUFFER -> {
                for (int i = 0; i < n; i++) {
                    v[i] = r.nextGaussian();
                }
            }
            case TRUNC_NORMAL_002 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = Math.max(-2.0, Math.min(2.0, 0.02 * r.nextGaussian()));
                }
            }
            case UNIFORM_FAN_IN -> {
                double bound = 1.0 / Math.sqrt(s.fanIn());
                for (int i = 0; i < n; i++) {
                    v[i] = (2 * r.nextDouble() - 1) * bound;
                }
            }
        }
        return Nd4j.create(v, s.shape(), DataType.DOUBLE).castTo(dtype);
    }

    /**
     * Reads an upstream-layout {@code .pth} (e.g. {@code lite_medsam.pth}, or {@code models/small-base.pth}) into
     * a model of the preset its tensors' shapes fit, LiteMedSAM when none does (the error then names the keys).
     */
    public static LiteMedSam fromPth(Path file) throws IOException {
        if (ModelFiles.Kind.of(file) != ModelFiles.Kind.PTH) {
            throw new IOException(file + ": not a .pth or .pt file");
        }
        return ModelFiles.load(file);
    }

    /** Reads a {@code .pth} state dict (bare or {@code {"model": ...}}) for the given configuration ({@link ModelFiles}). */
    public static LiteMedSam fromPth(Path file, ModelConfig config) throws IOException {
        if (ModelFiles.Kind.of(file) != ModelFiles.Kind.PTH) {
            throw new IOException(file + ": not a .pth or .pt file");
        }
        return ModelFiles.load(file, config);
    }

    /** Copies a state dict into the live arrays; missing, extra or mis-shaped keys are an error naming them. */
    public void loadStateDict(Map<String, INDArray> stateDict) {
        loadStateDict(stateDict, "state dict");
    }

    /** {@link #loadStateDict(Map)} whose error names {@code source}. */
    void loadStateDict(Map<String, INDArray> stateDict, String source) {
        WeightMapping.check(config, stateDict, source);
        weightsChanged();
        for (Map.Entry<String, INDArray> e : stateDict.entrySet()) {
            INDArray target = state.get(e.getKey());
            INDArray src = e.getValue();
            if (target.dataType() != src.dataType()) {
                src = src.castTo(target.dataType());
            }
            target.assign(src.reshape(target.shape()));
        }
    }

    /** The live full state, upstream names and order (unmodifiable map; the arrays are live): what engines read. */
    public Map<String, INDArray> state() {
        return Collections.unmodifiableMap(state);
    }

    /** A copy of the full state (parameters and buffers), upstream names and order, PyTorch shapes. */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** Live trainable arrays by upstream name (unmodifiable map; the arrays themselves are live). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String k : trainable) {
            out.put(k, state.get(k));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Live buffers: BatchNorm running mean / variance / batch counters and the prompt encoder's Fourier matrix. */
    public Map<String, INDArray> buffers() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (!trainable.contains(k)) {
                out.put(k, v);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Trainable parameter names of one component. */
    public Set<String> parameterNames(Component c) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : trainable) {
            if (k.startsWith(c.prefix())) {
                out.add(k);
            }
        }
        return out;
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dataType() {
        return dtype;
    }

    /** Trainable element count (9,791,300 for {@link ModelConfig#liteMedSam()}). */
    public long parameterCount() {
        return trainable.stream().mapToLong(k -> state.get(k).length()).sum();
    }

    /** Writes the state dict as a PyTorch {@code .pth} that {@code load_state_dict(strict=True)} accepts ({@link ModelFiles}). */
    public void exportPth(Path file) throws IOException {
        ModelFiles.exportPth(this, file);
    }

    /** Writes umedsam's own model file ({@link ModelFiles.Kind#MODEL}: an {@code .npz} with the configuration), atomically. */
    public void save(Path file) throws IOException {
        ModelFiles.save(this, file);
    }

    /** Reads a file written by {@link #save(Path)}, or any other weights file ({@link ModelFiles#load(Path)}). */
    public static LiteMedSam load(Path file) throws IOException {
        return ModelFiles.load(file);
    }

    private INDArray in(INDArray x, String what, long... shapeWithMinus1) {
        if (x.rank() != shapeWithMinus1.length) {
            throw new IllegalArgumentException(what + ": expected rank " + shapeWithMinus1.length + " "
                    + java.util.Arrays.toString(shapeWithMinus1) + ", got " + java.util.Arrays.toString(x.shape()));
        }
        for (int i = 0; i < shapeWithMinus1.length; i++) {
            if (shapeWithMinus1[i] >= 0 && x.size(i) != shapeWithMinus1[i]) {
                throw new IllegalArgumentException(what + ": expected shape " + java.util.Arrays.toString(shapeWithMinus1)
                        + " (-1 = any), got " + java.util.Arrays.toString(x.shape()));
            }
        }
        return x.dataType() == dtype ? x : x.castTo(dtype);
    }

    private INDArray images(INDArray images) {
        return in(images, "images", -1, 3, config.imageSize(), config.imageSize());
    }

    private INDArray boxes(INDArray boxes, long batch) {
        INDArray b = in(boxes, "boxes", batch, 4);
        // a NaN or infinite coordinate would decode to logits of minus infinity without a word (a few values: cheap)
        double[] v = b.dup().data().asDouble();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException("boxes: box " + (i / 4) + " coordinate " + (i % 4) + " is " + v[i]
                        + "; box coordinates must be finite");
            }
        }
        return b;
    }

    private INDArray embeddingIn(INDArray embedding) {
        return in(embedding, "embedding", -1, config.promptEmbedDim(), config.embeddingSize(), config.embeddingSize());
    }


    // ------------------------------------------------------------------ engines and weight versions

    /** Chooses the engine (default {@link Engine.Kind#CPU}); returns this. */
    public LiteMedSam engine(Engine.Kind kind) {
        this.engineKind = java.util.Objects.requireNonNull(kind, "engine kind");
        return this;
    }

    /** The engine that runs this model's passes: the one chosen, except that the CPU engine runs float32 models only. */
    public Engine engine() {
        return engineOf(engineKind == Engine.Kind.CPU && dtype == DataType.FLOAT ? Engine.Kind.CPU : Engine.Kind.SAMEDIFF);
    }

    /** The reference engine (SameDiff): any data type, gradients of any group, {@link #trace}. */
    public Engine reference() {
        return engineOf(Engine.Kind.SAMEDIFF);
    }

    private Engine engineOf(Engine.Kind kind) {
        return engines.computeIfAbsent(kind, k -> {
            for (Engine.Provider p : ServiceLoader.load(Engine.Provider.class, LiteMedSam.class.getClassLoader())) {
                if (p.kind() == k) {
                    return p.create(this);
                }
            }
            throw new IllegalStateException("no " + k + " engine on the class path (META-INF/services/"
                    + Engine.Provider.class.getName() + ")");
        });
    }

    /**
     * Says that arrays of {@link #parameters()} or {@link #buffers()} were written in place: engines drop the weight
     * copies they keep. Calling it when nothing changed costs one copy at the next pass, nothing else.
     */
    public void weightsChanged() {
        encoderVersion++;
        decoderVersion++;
    }

    /**
     * As {@link #weightsChanged()} when only the named entries were written: advances the image encoder's
     * version if one is an image-encoder key, the decoder's ({@link #decoderWeightVersion}) if one is another key.
     */
    public void weightsChanged(java.util.Collection<String> keys) {
        boolean encoder = false;
        boolean decoder = false;
        for (String k : keys) {
            if (k.startsWith(Component.IMAGE_ENCODER.prefix())) {
                encoder = true;
            } else {
                decoder = true;
            }
        }
        if (encoder) {
            encoderVersion++;
        }
        if (decoder) {
            decoderVersion++;
        }
    }

    /** The prompt encoder's and mask decoder's weight version: advanced by {@link #weightsChanged} (for any non-encoder key) and by this class's own writers. */
    public long decoderWeightVersion() {
        return decoderVersion;
    }

    /** The image encoder's weight version: advanced by {@link #weightsChanged} and by this class's own writers. */
    public long encoderWeightVersion() {
        return encoderVersion;
    }


    // ------------------------------------------------------------------ passes (checked, then the engine's)

    /** Image embedding in evaluation mode: {@code [B, 3, 256, 256] -> [B, E, 64, 64]} (E: 256 for litemedsam, 128 for small). */
    public INDArray embed(INDArray images) {
        return engine().embed(images(images));
    }

    /**
     * Decodes N boxes against one embedding, with the weights as they are at the call ({@link Engine#decode}).
     *
     * @param embedding {@code [1, E, 64, 64]} (E = {@code config().promptEmbedDim()}: 256 for litemedsam, 128 for small)
     * @param boxes     {@code [N, 4]}, x0 y0 x1 y1 in the 256 x 256 input frame
     * @param multimask false: the single-mask token; true: the three multimask tokens
     */
    public Prediction decode(INDArray embedding, INDArray boxes, boolean multimask) {
        return engine().decode(oneEmbedding(embedding), boxes(boxes, -1), multimask);
    }

    /**
     * As {@link #decode}, with the decoder's weights copied once per {@link #decoderWeightVersion} rather than at
     * every call (4 MB for the small preset, 16 MB for LiteMedSAM): for inference, where nothing writes the weights.
     */
    public Prediction decodeAtWeightVersion(INDArray embedding, INDArray boxes, boolean multimask) {
        return engine().decodeAtWeightVersion(oneEmbedding(embedding), boxes(boxes, -1), multimask);
    }

    private INDArray oneEmbedding(INDArray embedding) {
        embedding = embeddingIn(embedding);
        if (embedding.size(0) != 1) {
            throw new IllegalArgumentException("decode takes one embedding [1, E, g, g], got "
                    + java.util.Arrays.toString(embedding.shape()));
        }
        return embedding;
    }

    /** {@link Engine#trace}, on the reference engine whatever engine runs the model. */
    public Map<String, INDArray> trace(INDArray images, INDArray boxes) {
        images = images(images);
        return reference().trace(images, boxes(boxes, images.size(0)));
    }

    /**
     * A single-mask pass of the whole model that can be differentiated ({@link Engine.Pass#backward}).
     *
     * @param images {@code [B, 3, 256, 256]}
     * @param boxes  {@code [B K, 4]}: {@code K >= 1} boxes per image, image {@code i}'s at rows
     *               {@code i K .. i K + K - 1} (each image is embedded once, or repeated
     *               for an engine that takes one box per image)
     * @param mode   BatchNorm with batch statistics (in the output; running statistics are not updated, see
     *               {@link #applyBatchNormStatistics}) or with the running statistics
     */
    public Engine.Pass pass(INDArray images, INDArray boxes, Engine.Mode mode) {
        images = images(images);
        INDArray b = in(boxes, "boxes", -1, 4);
        BoxesPerImage.of(images, b);
        return engine().forward(images, b, java.util.Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Every BatchNorm's batch statistics of a training-mode pass over {@code images} {@code [B, 3, 256, 256]} with
     * one box per image ({@code [B, 4]}), the pass not kept ({@link Engine#batchNormStatistics}).
     */
    public List<ModelOutput.BatchNormStatistics> batchNormStatistics(INDArray images, INDArray boxes) {
        images = images(images);
        return engine().batchNormStatistics(images, boxes(boxes, images.size(0)));
    }

    /** A single-mask pass of the prompt encoder and mask decoder from embeddings {@code [B, E, 64, 64]} and boxes {@code [B, 4]}. */
    public Engine.Pass passFromEmbedding(INDArray embedding, INDArray boxes) {
        embedding = embeddingIn(embedding);
        return engine().forwardFromEmbedding(embedding, boxes(boxes, embedding.size(0)));
    }

    /** The output of {@link #pass} with one box per image, {@code training} choosing {@link Engine.Mode#TRAINING}. */
    public ModelOutput forward(INDArray images, INDArray boxes, boolean training) {
        images = images(images);
        return pass(images, boxes(boxes, images.size(0)), training ? Engine.Mode.TRAINING : Engine.Mode.EVALUATION)
                .output();
    }

    /** The output of {@link #passFromEmbedding} (a frozen encoder's training, validation). */
    public ModelOutput forwardFromEmbedding(INDArray embedding, INDArray boxes) {
        return passFromEmbedding(embedding, boxes).output();
    }

    /**
     * Gradients of {@code sum(logits * gradLogits) + sum(iou * gradIou)} w.r.t. the named parameters for one box per
     * image (fresh arrays, PyTorch shapes); parameters the box-prompt pass does not use get zeros.
     *
     * @param gradLogits dLoss/dLogits {@code [B, 1, 256, 256]}
     * @param gradIou    dLoss/dIou {@code [B, 1]}
     * @param training   BatchNorm in training mode (batch statistics, gradients through them) or evaluation mode
     */
    public Map<String, INDArray> gradients(INDArray images, INDArray boxes, INDArray gradLogits, INDArray gradIou,
                                           boolean training, Set<String> wrt) {
        images = images(images);
        long b = images.size(0);
        Engine.Pass p = pass(images, boxes(boxes, b), training ? Engine.Mode.TRAINING : Engine.Mode.EVALUATION);
        return backward(p, b, gradLogits, gradIou, wrt);
    }

    /** As {@link #gradients} from embeddings: only prompt-encoder and mask-decoder parameters may be asked for. */
    public Map<String, INDArray> gradientsFromEmbedding(INDArray embedding, INDArray boxes, INDArray gradLogits,
                                                        INDArray gradIou, Set<String> wrt) {
        embedding = embeddingIn(embedding);
        return backward(passFromEmbedding(embedding, boxes), embedding.size(0), gradLogits, gradIou, wrt);
    }

    /** {@link Engine.Pass#backward} with the gradients' shapes and the names checked against this model. */
    public Map<String, INDArray> backward(Engine.Pass pass, long batch, INDArray gradLogits, INDArray gradIou,
                                          Set<String> wrt) {
        if (pass == null) {
            throw new IllegalArgumentException("pass is null");
        }
        if (wrt == null) {
            throw new IllegalArgumentException("wrt is null");
        }
        for (String k : wrt) {
            if (!trainable.contains(k)) {
                throw new IllegalArgumentException("not a trainable parameter: " + k);
            }
        }
        return pass.backward(in(gradLogits, "gradLogits", batch, 1, config.maskSize(), config.maskSize()),
                in(gradIou, "gradIou", batch, 1), wrt);
    }

    /**
     * PyTorch's running-statistics update: {@code running = (1 - m) running + m batch}, with the
     * unbiased batch variance ({@code n / (n - 1)}) for {@code running_var}; {@code num_batches_tracked += 1}.
     */
    public void applyBatchNormStatistics(ModelOutput out, double momentum) {
        if (!out.batchNormStatistics().isEmpty()) {
            weightsChanged(); // every BatchNorm is in the image encoder
        }
        for (ModelOutput.BatchNormStatistics st : out.batchNormStatistics()) {
            INDArray rm = state.get(st.prefix() + ".running_mean");
            INDArray rv = state.get(st.prefix() + ".running_var");
            INDArray nbt = state.get(st.prefix() + ".num_batches_tracked");
            double unbias = st.count() > 1 ? (double) st.count() / (st.count() - 1) : 1.0;
            rm.muli(1 - momentum).addi(st.mean().castTo(rm.dataType()).mul(momentum));
            rv.muli(1 - momentum).addi(st.variance().castTo(rv.dataType()).mul(momentum * unbias));
            nbt.addi(1);
        }
    }
}

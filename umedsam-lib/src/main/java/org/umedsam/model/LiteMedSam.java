package org.umedsam.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.model.cpu.CpuImageEncoder;
import org.umedsam.model.cpu.CpuLiteMedSamTraining;
import org.umedsam.model.cpu.CpuMaskDecoder;
import org.umedsam.model.cpu.EncoderSnapshots;
import org.umedsam.model.cpu.TapeArena;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * LiteMedSAM (image encoder, prompt encoder, mask decoder) on SameDiff, numerically matching the
 * upstream PyTorch model (bowang-lab/MedSAM, branch LiteMedSAM).
 *
 * <p><b>State.</b> All state-dict entries live in one map keyed by the upstream names, in PyTorch
 * shapes (see {@link WeightMapping}). {@link #parameters()} and {@link #buffers()} return the live
 * arrays: in-place updates ({@code addi}, {@code subi}, {@code assign}) are seen by the next pass of
 * every graph (this is what a SAM perturb/restore step relies on), with one exception: the CPU engine's
 * image encoder in evaluation mode (below), which sees them after {@link #weightsChanged}.
 *
 * <p><b>Graphs.</b> Built lazily and cached: the encoder in evaluation mode, the prompt encoder + mask
 * decoder from an embedding placeholder (no BatchNorm, so one graph serves training and evaluation),
 * and the full model in training mode and in evaluation mode for gradients. Gradients are those of
 * the surrogate {@code sum(logits * gradLogits) + sum(iou * gradIou)} whose two weights are
 * placeholders: losses are computed outside, in plain Java, and hand back dLoss/dLogits, dLoss/dIou.
 *
 * <p><b>Engines.</b> Evaluation-mode forward passes ({@link #embed}, {@link #decode},
 * {@link #forwardFromEmbedding}, {@code forward(.., false)}) run on the hand-scheduled CPU
 * implementation in {@code org.umedsam.model.cpu} for float32 models ({@link ForwardEngine#CPU},
 * the default): same arithmetic, about an order of magnitude faster than SameDiff's op-by-op
 * execution. So do the mask decoder's gradients from an embedding ({@link #gradientsFromEmbedding}
 * when only {@code mask_decoder.*} parameters are asked for: the U-MedSAM code's trained group), and
 * the full model's training-mode passes and gradients ({@code forward(.., true)}, {@link #gradients},
 * {@link #forwardWithTape}): a hand-written backward through the decoder and the TinyViT encoder,
 * BatchNorm with batch statistics included. Other gradients from an embedding and {@link #trace} run on
 * SameDiff, as does everything for {@link ForwardEngine#SAMEDIFF} or double-precision models.
 * The CPU engine's evaluation-mode image encoder ({@link #embed}) keeps its weight snapshot (BatchNorm
 * folded, weights copied: 39 ms for LiteMedSAM, plus its activation buffers) for as long as the encoder's
 * weight version ({@link #encoderWeightVersion}) stays the same: {@link #loadStateDict} and
 * {@link #applyBatchNormStatistics} advance it themselves, and code that writes encoder arrays of
 * {@link #parameters()} or {@link #buffers()} in place calls {@link #weightsChanged} (the trainer does after
 * every optimizer step), so the snapshot is folded once per weight version, not per call. So does
 * {@link #decodeAtWeightVersion} (inference's decode) with the prompt encoder's and mask decoder's weights, per
 * {@link #decoderWeightVersion}. Every other CPU pass ({@link #decode} included) snapshots the weights at the
 * call, so in-place updates of the decoder are seen at once (SAM's perturbed pass relies on that).
 *
 * <p><b>Memory.</b> SameDiff allocates fresh native buffers for every pass (released when the Java GC
 * runs); every {@value #GC_EVERY} SameDiff passes (embed, decode, training forward, gradients) this class
 * calls {@code System.gc()} ({@link GcCounter}), which keeps resident memory bounded.
 *
 * <p>Not thread-safe: one model per thread, or synchronise externally.
 */
public final class LiteMedSam {

    static final int GC_EVERY = 10;

    private final ModelConfig config;
    private final DataType dtype;
    private final LinkedHashMap<String, INDArray> state = new LinkedHashMap<>();
    private final Set<String> trainable = new LinkedHashSet<>();
    private final Map<GraphKind, Graph> graphs = new EnumMap<>(GraphKind.class);
    private final GcCounter gc = new GcCounter(GC_EVERY);
    private final List<org.nd4j.autodiff.listeners.Listener> listeners = new ArrayList<>();

    private enum GraphKind { ENCODER_EVAL, DECODER, FULL_TRAIN, FULL_EVAL }

    /** Which implementation runs evaluation-mode forward passes. */
    public enum ForwardEngine {
        /** {@code org.umedsam.model.cpu}: Java loops plus native sgemm (float32 models only). */
        CPU,
        /** The SameDiff graphs that also compute gradients. */
        SAMEDIFF
    }

    private ForwardEngine forwardEngine = ForwardEngine.CPU;
    /** Advanced whenever the image encoder's weights or BatchNorm statistics may have changed. */
    private long encoderVersion;
    /** The CPU engine's evaluation-mode encoder of the current {@link #encoderVersion}. */
    private final EncoderSnapshots encoderSnapshots = new EncoderSnapshots();
    /** Advanced whenever the prompt encoder's or mask decoder's weights may have changed. */
    private long decoderVersion;
    /** The CPU engine's decoder snapshot for {@link #decodeAtWeightVersion}, taken at {@link #decoderSnapshotVersion}. */
    private CpuMaskDecoder decoderSnapshot;
    private long decoderSnapshotVersion;

    private record Graph(Net net, String logits, String iou, String surrogate) {
    }

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

    /** Reads an upstream-layout {@code .pth} (e.g. {@code lite_medsam.pth}) into a {@link ModelConfig#liteMedSam()} model. */
    public static LiteMedSam fromPth(Path file) throws IOException {
        return fromPth(file, ModelConfig.liteMedSam());
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

    /** The live full state, upstream names and order (unmodifiable map; the arrays are live), for {@link ModelFiles}. */
    Map<String, INDArray> state() {
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

    // ------------------------------------------------------------------ graphs

    private Graph graph(GraphKind kind) {
        return graphs.computeIfAbsent(kind, k -> {
            Graph g = build(k);
            if (!listeners.isEmpty()) {
                g.net().sd.setListeners(listeners);
            }
            return g;
        });
    }

    /** Attaches SameDiff listeners (e.g. an op profiler) to every graph, present and future; none to clear. */
    void setListeners(org.nd4j.autodiff.listeners.Listener... ls) {
        listeners.clear();
        listeners.addAll(List.of(ls));
        for (Graph g : graphs.values()) {
            g.net().sd.setListeners(listeners);
        }
    }

    private Graph build(GraphKind kind) {
        boolean train = kind == GraphKind.FULL_TRAIN;
        Net n = new Net(config, train, dtype, state, trainable);
        int s = config.imageSize();
        int e = config.promptEmbedDim();
        int g = config.embeddingSize();
        SDVariable embedding;
        if (kind == GraphKind.DECODER) {
            embedding = n.sd.placeHolder("embedding", dtype, -1, e, g, g);
        } else {
            SDVariable images = n.sd.placeHolder("images", dtype, -1, 3, s, s);
            ImageEncoder.Outputs enc = ImageEncoder.build(n, images);
            for (int i = 0; i < 4; i++) {
                enc.stages()[i].rename("encoder_layer" + i);
            }
            embedding = enc.embedding().rename("image_embedding");
            if (kind == GraphKind.ENCODER_EVAL) {
                return new Graph(n, null, null, null);
            }
        }
        SDVariable boxes = n.sd.placeHolder("boxes", dtype, -1, 4);
        SDVariable sparse = PromptEncoder.sparse(n, boxes).rename("sparse_embedding");
        SDVariable densePe = PromptEncoder.densePeTokens(n);
        n.tokensToNchw(densePe, e, g, g).rename("dense_pe");
        SDVariable[] md = MaskDecoder.build(n, embedding, sparse, 2, densePe);
        md[0].rename("masks_all");
        md[1].rename("iou_all");
        SDVariable logits = n.slice(md[0], 4, 1, 0, 1).rename("logits");
        SDVariable iou = n.slice(md[1], 2, 1, 0, 1).rename("iou");
        SDVariable gl = n.sd.placeHolder("grad_logits", dtype, -1, 1, config.maskSize(), config.maskSize());
        SDVariable gi = n.sd.placeHolder("grad_iou", dtype, -1, 1);
        SDVariable surrogate = logits.mul(gl).sum().add(iou.mul(gi).sum()).rename("surrogate");
        n.sd.setLossVariables("surrogate");
        return new Graph(n, logits.name(), iou.name(), surrogate.name());
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
        return in(boxes, "boxes", batch, 4);
    }

    private INDArray embeddingIn(INDArray embedding) {
        return in(embedding, "embedding", -1, config.promptEmbedDim(), config.embeddingSize(), config.embeddingSize());
    }

    // ------------------------------------------------------------------ inference

    /** Chooses the evaluation-mode forward implementation (default {@link ForwardEngine#CPU}); returns this. */
    public LiteMedSam forwardEngine(ForwardEngine engine) {
        this.forwardEngine = java.util.Objects.requireNonNull(engine, "engine");
        return this;
    }

    /** The engine evaluation-mode passes use: CPU only for float32 models, SameDiff otherwise. */
    public ForwardEngine forwardEngine() {
        return forwardEngine == ForwardEngine.CPU && dtype == DataType.FLOAT ? ForwardEngine.CPU : ForwardEngine.SAMEDIFF;
    }

    /**
     * Says that arrays of {@link #parameters()} or {@link #buffers()} were written in place: the next
     * {@link #embed} folds and copies the encoder's weights afresh. Calling it when nothing changed costs one
     * snapshot at the next embed, nothing else.
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

    /**
     * The prompt encoder's and mask decoder's weight version: advanced by {@link #weightsChanged} (for any
     * non-encoder key) and by this class's own writers; {@link #decodeAtWeightVersion} keeps a snapshot per version.
     */
    public long decoderWeightVersion() {
        return decoderVersion;
    }

    /** The image encoder's weight version: advanced by {@link #weightsChanged} and by this class's own writers. */
    public long encoderWeightVersion() {
        return encoderVersion;
    }

    /** The CPU engine's encoder for the current weight version, built (BatchNorm folded) when the version moved. */
    CpuImageEncoder encoderSnapshot() {
        return encoderSnapshots.at(encoderVersion, config, state);
    }

    /** Image embedding in evaluation mode: {@code [B, 3, 256, 256] -> [B, 256, 64, 64]}. */
    public INDArray embed(INDArray images) {
        if (forwardEngine() == ForwardEngine.CPU) {
            return encoderSnapshot().embed(images(images));
        }
        Graph gr = graph(GraphKind.ENCODER_EVAL);
        INDArray out = gr.net().sd.output(Map.of("images", images(images)), "image_embedding").get("image_embedding");
        gcHint();
        return out;
    }

    /** SameDiff's native buffers are freed by the Java GC only; a periodic hint bounds resident memory. */
    private void gcHint() {
        gc.count();
    }

    /**
     * Decodes N boxes against one embedding.
     *
     * @param embedding {@code [1, 256, 64, 64]}
     * @param boxes     {@code [N, 4]}, x0 y0 x1 y1 in the 256 x 256 input frame
     * @param multimask false: the single-mask token; true: the three multimask tokens
     */
    public Prediction decode(INDArray embedding, INDArray boxes, boolean multimask) {
        embedding = embeddingIn(embedding);
        if (embedding.size(0) != 1) {
            throw new IllegalArgumentException("decode takes one embedding [1, E, g, g], got " + java.util.Arrays.toString(embedding.shape()));
        }
        boxes = boxes(boxes, -1);
        if (forwardEngine() == ForwardEngine.CPU) {
            return CpuMaskDecoder.of(config, state).decode(embedding, boxes, multimask);
        }
        return decodeOnSameDiff(embedding, boxes, multimask);
    }

    /**
     * As {@link #decode}, except that the CPU engine's decoder snapshot (weights copied, 4 MB for the small
     * preset and 16 MB for LiteMedSAM) is taken once per {@link #decoderWeightVersion} rather than at every
     * call, as {@link #embed} does for the encoder: in-place writes to prompt-encoder or mask-decoder arrays are
     * seen once announced with {@link #weightsChanged}. For inference, where nothing writes the weights;
     * {@link #decode} stays the pass that sees unannounced in-place updates (SAM's perturbed weights).
     */
    public Prediction decodeAtWeightVersion(INDArray embedding, INDArray boxes, boolean multimask) {
        embedding = embeddingIn(embedding);
        if (embedding.size(0) != 1) {
            throw new IllegalArgumentException("decode takes one embedding [1, E, g, g], got " + java.util.Arrays.toString(embedding.shape()));
        }
        boxes = boxes(boxes, -1);
        if (forwardEngine() == ForwardEngine.CPU) {
            if (decoderSnapshot == null || decoderSnapshotVersion != decoderVersion) {
                decoderSnapshot = null; // the old copy may go before the new one is made
                decoderSnapshot = CpuMaskDecoder.of(config, state);
                decoderSnapshotVersion = decoderVersion;
            }
            return decoderSnapshot.decode(embedding, boxes, multimask);
        }
        return decodeOnSameDiff(embedding, boxes, multimask);
    }

    private Prediction decodeOnSameDiff(INDArray embedding, INDArray boxes, boolean multimask) {
        long nBoxes = boxes.size(0);
        INDArray emb = nBoxes == 1 ? embedding : embedding.repeat(0, nBoxes);
        Map<String, INDArray> out = graph(GraphKind.DECODER).net().sd.output(
                Map.of("embedding", emb, "boxes", boxes), "masks_all", "iou_all");
        INDArray masks = out.get("masks_all");
        INDArray iou = out.get("iou_all");
        int tokens = config.numMultimaskOutputs() + 1;
        gcHint();
        if (multimask) {
            return new Prediction(masks.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup(),
                    iou.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup());
        }
        return new Prediction(masks.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup(),
                iou.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup());
    }

    /**
     * Every intermediate the parity fixture holds, in evaluation mode: {@code encoder_layer0..3},
     * {@code image_embedding}, {@code dense_pe}, {@code sparse_embedding}, {@code low_res_masks},
     * {@code iou_predictions}, {@code multimask_low_res_masks}, {@code multimask_iou_predictions}.
     */
    public Map<String, INDArray> trace(INDArray images, INDArray boxes) {
        images = images(images);
        boxes = boxes(boxes, images.size(0));
        Map<String, INDArray> out = new LinkedHashMap<>(graph(GraphKind.ENCODER_EVAL).net().sd.output(
                Map.of("images", images), "encoder_layer0", "encoder_layer1", "encoder_layer2", "encoder_layer3",
                "image_embedding"));
        Map<String, INDArray> dec = graph(GraphKind.DECODER).net().sd.output(
                Map.of("embedding", out.get("image_embedding"), "boxes", boxes), "dense_pe", "sparse_embedding",
                "masks_all", "iou_all");
        out.put("dense_pe", dec.get("dense_pe"));
        out.put("sparse_embedding", dec.get("sparse_embedding"));
        int tokens = config.numMultimaskOutputs() + 1;
        INDArray masks = dec.get("masks_all");
        INDArray iou = dec.get("iou_all");
        out.put("low_res_masks", masks.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup());
        out.put("iou_predictions", iou.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).dup());
        out.put("multimask_low_res_masks", masks.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup());
        out.put("multimask_iou_predictions", iou.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens)).dup());
        return out;
    }

    // ------------------------------------------------------------------ training contract

    /**
     * Single-mask forward pass. In training mode BatchNorm normalises with batch statistics, which the
     * output carries (running statistics are NOT updated here; see {@link #applyBatchNormStatistics}).
     *
     * @param images {@code [B, 3, 256, 256]}
     * @param boxes  {@code [B, 4]}
     */
    public ModelOutput forward(INDArray images, INDArray boxes, boolean training) {
        images = images(images);
        boxes = boxes(boxes, images.size(0));
        if (!training) {
            return forwardFromEmbedding(embed(images), boxes);
        }
        if (forwardEngine() == ForwardEngine.CPU) {
            return forwardWithTape(images, boxes, true).output();
        }
        Graph gr = graph(GraphKind.FULL_TRAIN);
        List<String> names = new ArrayList<>(List.of(gr.logits(), gr.iou()));
        for (Net.BnStat st : gr.net().bnStats) {
            names.add(st.meanName());
            names.add(st.varName());
        }
        Map<String, INDArray> out = gr.net().sd.output(Map.of("images", images, "boxes", boxes), names);
        List<ModelOutput.BatchNormStatistics> stats = new ArrayList<>();
        long b = images.size(0);
        for (Net.BnStat st : gr.net().bnStats) {
            stats.add(new ModelOutput.BatchNormStatistics(st.prefix(), out.get(st.meanName()), out.get(st.varName()),
                    b * st.spatial()));
        }
        gcHint();
        return new ModelOutput(out.get(gr.logits()), out.get(gr.iou()), List.copyOf(stats));
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

    /**
     * Gradients of {@code sum(logits * gradLogits) + sum(iou * gradIou)} w.r.t. the named parameters
     * (fresh arrays, PyTorch shapes). Parameters the box-prompt forward pass does not use (the mask
     * prompt path, the point embeddings 0/1, {@code not_a_point_embed}) get zero gradients.
     *
     * @param gradLogits dLoss/dLogits {@code [B, 1, 256, 256]}
     * @param gradIou    dLoss/dIou {@code [B, 1]}
     * @param training   BatchNorm in training mode (batch statistics, gradients through them) or evaluation mode
     */
    public Map<String, INDArray> gradients(INDArray images, INDArray boxes, INDArray gradLogits, INDArray gradIou,
                                           boolean training, Set<String> wrt) {
        images = images(images);
        long b = images.size(0);
        if (forwardEngine() == ForwardEngine.CPU) {
            return backward(forwardWithTape(images, boxes, training), gradLogits, gradIou, wrt);
        }
        Map<String, INDArray> ph = Map.of("images", images, "boxes", boxes(boxes, b),
                "grad_logits", in(gradLogits, "gradLogits", b, 1, config.maskSize(), config.maskSize()),
                "grad_iou", in(gradIou, "gradIou", b, 1));
        return gradientsOf(graph(training ? GraphKind.FULL_TRAIN : GraphKind.FULL_EVAL), ph, wrt, false);
    }

    /**
     * A single-mask forward pass on the CPU engine that keeps what its backward pass needs, for a trainer
     * that differentiates the pass it has just made (SameDiff's {@link #gradients} would run the forward
     * again). Batch statistics are in the output; running statistics are not updated. Float32 models with
     * {@link ForwardEngine#CPU} only. {@code boxes} may hold {@code K} boxes per image ({@code [B K, 4]},
     * image {@code i}'s at rows {@code i K .. i K + K - 1}): each image is embedded once.
     *
     * @param training BatchNorm with batch statistics (training mode) or running statistics
     * @throws IllegalStateException for a double-precision model or the SameDiff engine
     */
    public CpuLiteMedSamTraining.Pass forwardWithTape(INDArray images, INDArray boxes, boolean training) {
        return forwardWithTape(images, boxes, training, TapeArena.NONE);
    }

    /**
     * As {@link #forwardWithTape(INDArray, INDArray, boolean)}, the pass' maps taken from {@code arena} (a trainer
     * keeps one for its run, so steps and SAM's two passes reuse the same arrays; see {@link TapeArena}).
     */
    public CpuLiteMedSamTraining.Pass forwardWithTape(INDArray images, INDArray boxes, boolean training,
                                                      TapeArena arena) {
        if (forwardEngine() != ForwardEngine.CPU) {
            throw new IllegalStateException("forwardWithTape needs the CPU engine and a float32 model; this model is "
                    + dtype + " on " + forwardEngine);
        }
        images = images(images);
        // K boxes per image are allowed here ([B K, 4]); CpuLiteMedSamTraining checks that B divides the count
        return CpuLiteMedSamTraining.of(config, state, arena).forward(images, in(boxes, "boxes", -1, 4), training);
    }

    /**
     * Gradients of {@code sum(logits * gradLogits) + sum(iou * gradIou)} for a pass of
     * {@link #forwardWithTape}, at the weights that pass used, as {@link #gradients} returns them.
     */
    public Map<String, INDArray> backward(CpuLiteMedSamTraining.Pass pass, INDArray gradLogits, INDArray gradIou,
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
        long b = pass.output().iou().size(0);
        return pass.backward(in(gradLogits, "gradLogits", b, 1, config.maskSize(), config.maskSize()),
                in(gradIou, "gradIou", b, 1), wrt);
    }

    /** Single-mask forward pass from a precomputed embedding {@code [B, 256, 64, 64]} (frozen encoder). */
    public ModelOutput forwardFromEmbedding(INDArray embedding, INDArray boxes) {
        embedding = embeddingIn(embedding);
        if (forwardEngine() == ForwardEngine.CPU) {
            INDArray b = boxes(boxes, embedding.size(0));
            CpuMaskDecoder decoder = CpuMaskDecoder.of(config, state);
            INDArray[] logits = new INDArray[(int) embedding.size(0)];
            INDArray[] iou = new INDArray[logits.length];
            for (int i = 0; i < logits.length; i++) {
                Prediction p = decoder.decode(embedding.get(NDArrayIndex.interval(i, i + 1)).dup(),
                        b.get(NDArrayIndex.interval(i, i + 1)).dup(), false);
                logits[i] = p.masks();
                iou[i] = p.iou();
            }
            return new ModelOutput(Nd4j.concat(0, logits), Nd4j.concat(0, iou), List.of());
        }
        Graph gr = graph(GraphKind.DECODER);
        Map<String, INDArray> out = gr.net().sd.output(
                Map.of("embedding", embedding, "boxes", boxes(boxes, embedding.size(0))), gr.logits(), gr.iou());
        return new ModelOutput(out.get(gr.logits()), out.get(gr.iou()), List.of());
    }

    /**
     * As {@link #gradients} with the embedding as input: only prompt-encoder and mask-decoder parameters
     * may be asked for.
     */
    public Map<String, INDArray> gradientsFromEmbedding(INDArray embedding, INDArray boxes, INDArray gradLogits,
                                                        INDArray gradIou, Set<String> wrt) {
        embedding = embeddingIn(embedding);
        long b = embedding.size(0);
        if (forwardEngine() == ForwardEngine.CPU && onlyMaskDecoder(wrt)) {
            return CpuMaskDecoder.of(config, state).gradients(embedding, boxes(boxes, b),
                    in(gradLogits, "gradLogits", b, 1, config.maskSize(), config.maskSize()),
                    in(gradIou, "gradIou", b, 1), wrt);
        }
        Map<String, INDArray> ph = Map.of("embedding", embedding, "boxes", boxes(boxes, b),
                "grad_logits", in(gradLogits, "gradLogits", b, 1, config.maskSize(), config.maskSize()),
                "grad_iou", in(gradIou, "gradIou", b, 1));
        return gradientsOf(graph(GraphKind.DECODER), ph, wrt, true);
    }

    /** True when every key is a trainable mask-decoder parameter: what the CPU engine's backward covers. */
    private boolean onlyMaskDecoder(Set<String> wrt) {
        for (String k : wrt) {
            if (!trainable.contains(k) || Component.of(k) != Component.MASK_DECODER) {
                return false;
            }
        }
        return true;
    }

    private Map<String, INDArray> gradientsOf(Graph gr, Map<String, INDArray> ph, Set<String> wrt, boolean decoderOnly) {
        List<String> ask = new ArrayList<>();
        for (String k : wrt) {
            if (!trainable.contains(k)) {
                throw new IllegalArgumentException("not a trainable parameter: " + k);
            }
            if (decoderOnly && Component.of(k) == Component.IMAGE_ENCODER) {
                throw new IllegalArgumentException("decoder-only pass has no gradient for image-encoder parameter " + k);
            }
            if (gr.net().used.contains(k)) {
                ask.add(k);
            }
        }
        Map<String, INDArray> grads = ask.isEmpty() ? Map.of() : gr.net().sd.calculateGradients(ph, ask);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String k : wrt) {
            INDArray gk = grads.get(k);
            out.put(k, gk != null ? gk : Nd4j.zeros(dtype, state.get(k).shape()));
        }
        gcHint();
        return out;
    }
}

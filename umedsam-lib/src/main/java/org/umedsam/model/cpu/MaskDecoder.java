package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.NdArrays;
import org.umedsam.model.Prediction;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * LiteMedSAM's prompt encoder (boxes) and mask decoder as a hand-scheduled CPU forward pass on heap
 * arrays: the same function as {@code LiteMedSam.decode} (SameDiff), without its per-op overhead.
 * Image-sized matrix products go through {@link Gemm} (BLAS); the rest are Java loops, the image-sized ones
 * vectorised in place in the off-heap activations when the JVM has the Vector API ({@link VectorDecoderRows}).
 *
 * <p>Per box (mask_decoder.py {@code predict_masks}): tokens = [iou_token, mask_tokens, 2 box corners];
 * image tokens = embedding + no_mask_embed; the two-way transformer ({@link TwoWayTransformerInference},
 * the inference schedule of {@link TwoWayTransformer}); {@link MaskUpscaler}; hypernetwork MLP per
 * mask token; IoU head on the IoU token. Shared across the boxes of an image embedding, in one call and
 * in later calls on the same thread with an embedding of the same values ({@link ImageContext}): the image
 * tokens, their sum with the grid PE (the grid PE itself once per instance) and the first transformer
 * block's image projections ({@link FirstBlockInference}). Each box is decoded alone, so it gets the
 * same bits alone as in a batch. Weights are a snapshot taken by {@link #of}; an instance
 * is immutable and thread-safe. Each decoding thread keeps its scratch arrays
 * ({@link DecoderBuffers}: about 25 MB for LiteMedSAM plus the largest call's mask logits, and the last
 * image's context, 12 MB on heap and 6 MB off-heap) for reuse; the
 * first decode also makes the inference schedule's resident weights (about 12 MB off-heap for LiteMedSAM).
 *
 * <p>Speed note: BLAS runs on ND4J's thread count; on a machine whose cores are busy with other work,
 * one BLAS thread ({@code OMP_NUM_THREADS=1}) was about twice as fast as two (barrier waits).
 */
public final class MaskDecoder {

    private static final String P = "mask_decoder.";

    private final ModelConfig config;
    private final int dim;
    private final int grid;
    private final int maskTokens;
    private final PromptEncoder prompt;
    private final TwoWayTransformer transformer;
    /**
     * Made on first decode: its resident weights (about 12 MB off-heap for LiteMedSAM) are wasted on the
     * snapshots that only train. Racing threads build equal copies, so a volatile suffices.
     */
    private volatile TwoWayTransformerInference inference;
    private final MaskUpscaler upscaler;
    /** {@code [1 + maskTokens, E]}: the IoU token then the mask tokens. */
    private final float[] outputTokens;
    private final Linear[][] hyper;
    private final Linear[] iouHead;
    private final MaskDecoderGradient gradients;
    /** Static: decoders are snapshotted often (e.g. per training step), their threads' scratch is shared. */
    private static final ThreadLocal<DecoderBuffers> BUFFERS = ThreadLocal.withInitial(DecoderBuffers::new);

    private MaskDecoder(ModelConfig c, StateDictWeights w) {
        this.config = c;
        this.dim = c.promptEmbedDim();
        this.grid = c.embeddingSize();
        this.maskTokens = c.numMultimaskOutputs() + 1;
        this.prompt = new PromptEncoder(c, w);
        this.transformer = new TwoWayTransformer(c, w);
        this.upscaler = new MaskUpscaler(c, w);
        float[] iouToken = w.get(P + "iou_token.weight", 1, dim);
        float[] maskTok = w.get(P + "mask_tokens.weight", maskTokens, dim);
        this.outputTokens = new float[(1 + maskTokens) * dim];
        System.arraycopy(iouToken, 0, outputTokens, 0, dim);
        System.arraycopy(maskTok, 0, outputTokens, dim, maskTokens * dim);
        this.hyper = new Linear[maskTokens][];
        for (int i = 0; i < maskTokens; i++) {
            String h = P + "output_hypernetworks_mlps." + i + ".layers.";
            hyper[i] = new Linear[]{Linear.read(w, h + 0, dim, dim, true), Linear.read(w, h + 1, dim, dim, true),
                    Linear.read(w, h + 2, dim, dim / 8, true)};
        }
        int depth = c.iouHeadDepth();
        int hid = c.iouHeadHiddenDim();
        this.iouHead = new Linear[depth];
        for (int l = 0; l < depth; l++) {
            iouHead[l] = Linear.read(w, P + "iou_prediction_head.layers." + l, l == 0 ? dim : hid,
                    l == depth - 1 ? maskTokens : hid, true);
        }
        this.gradients = new MaskDecoderGradient(c, w, prompt, outputTokens, transformer, upscaler, hyper[0], iouHead);
    }

    /**
     * Snapshot of the current weights (upstream key names "prompt_encoder.*", "mask_decoder.*", PyTorch
     * shapes, as {@code LiteMedSam.stateDict()} returns). A missing or mis-shaped key is an
     * {@link IllegalArgumentException} naming it.
     */
    public static MaskDecoder of(ModelConfig config, Map<String, INDArray> stateDict) {
        OpenMpWaitPolicy.warnIfSpinning();
        if (config == null) {
            throw new IllegalArgumentException("config is null");
        }
        return new MaskDecoder(config, new StateDictWeights(stateDict));
    }

    /**
     * As {@link #of}, for a training pass's outputs: its kernels round as the plain loops do with the Vector API's
     * module and without ({@link DecoderKernels#plain}), so the outputs, the loss and its gradient have the same bits
     * either way and a run resumed without the module continues bit for bit. Its inference schedule is built here,
     * within that scope, rather than at the first decode.
     */
    static MaskDecoder forTraining(ModelConfig config, Map<String, INDArray> stateDict) {
        return DecoderKernels.plain(() -> {
            MaskDecoder d = of(config, stateDict);
            d.inference();
            return d;
        });
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * @param embedding {@code [1, E, g, g]}
     * @param boxes     {@code [N, 4]}, x0 y0 x1 y1 in the input frame
     * @param multimask false: the single-mask token (K = 1); true: the multimask tokens (K = maskTokens - 1)
     * @return masks {@code [N, K, 4g, 4g]} logits, iou {@code [N, K]}, as {@code LiteMedSam.decode}
     */
    public Prediction decode(INDArray embedding, INDArray boxes, boolean multimask) {
        int first = multimask ? 1 : 0;
        int count = multimask ? maskTokens - 1 : 1;
        Result r = run(embedding, boxes, first, count);
        return new Prediction(r.masks(), r.iou());
    }

    /**
     * All mask tokens: {@code masks_all [N, T, 4g, 4g]}, {@code iou_all [N, T]}, plus {@code dense_pe
     * [1, E, g, g]} and {@code sparse_embedding [N, 2, E]} (names as {@code LiteMedSam.trace}).
     */
    public Map<String, INDArray> trace(INDArray embedding, INDArray boxes) {
        Result r = run(embedding, boxes, 0, maskTokens);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("masks_all", r.masks());
        out.put("iou_all", r.iou());
        int hw = grid * grid;
        float[] pe = prompt.densePeTokens();
        float[] nchw = new float[dim * hw];
        for (int p = 0; p < hw; p++) {
            for (int ch = 0; ch < dim; ch++) {
                nchw[ch * hw + p] = pe[p * dim + ch];
            }
        }
        out.put("dense_pe", Nd4j.create(nchw, new long[]{1, dim, grid, grid}, 'c'));
        out.put("sparse_embedding", Nd4j.create(r.sparse(), new long[]{r.boxes(), 2, dim}, 'c'));
        return out;
    }

    /**
     * Gradients of {@code sum(logits * gradLogits) + sum(iou * gradIou)} for the single-mask output
     * (mask token 0, IoU output 0), as {@code LiteMedSam.gradientsFromEmbedding}, w.r.t. the named
     * {@code mask_decoder.*} parameters: fresh float arrays in PyTorch shapes, summed over the batch,
     * in the order of {@code wrt}. Parameters the single-mask box path does not reach get zeros
     * ({@link MaskDecoderGradient}).
     *
     * @param embedding  {@code [B, E, g, g]}, one image embedding per box
     * @param boxes      {@code [B, 4]}
     * @param gradLogits {@code [B, 1, 4g, 4g]}
     * @param gradIou    {@code [B, 1]}
     * @param wrt        {@code mask_decoder.*} keys; any other key is an {@link IllegalArgumentException}
     *                   naming it (prompt-encoder and image-encoder gradients are not computed here)
     */
    public Map<String, INDArray> gradients(INDArray embedding, INDArray boxes, INDArray gradLogits, INDArray gradIou,
                                           Set<String> wrt) {
        if (wrt == null) {
            throw new IllegalArgumentException("wrt is null");
        }
        for (String k : wrt) {
            if (k == null || !k.startsWith(P)) {
                throw new IllegalArgumentException("CPU decoder gradients cover mask_decoder.* parameters only, not " + k);
            }
            if (!gradients.knows(k)) {
                throw new IllegalArgumentException("not a mask decoder parameter of this model: " + k);
            }
        }
        if (embedding == null || embedding.rank() != 4 || embedding.size(0) < 1 || embedding.size(1) != dim
                || embedding.size(2) != grid || embedding.size(3) != grid) {
            throw new IllegalArgumentException("embedding: expected shape [B, " + dim + ", " + grid + ", " + grid
                    + "] with B >= 1, got " + (embedding == null ? "null" : Arrays.toString(embedding.shape())));
        }
        int b = (int) embedding.size(0);
        long[] boxShape = {b, 4};
        if (boxes == null || !Arrays.equals(boxes.shape(), boxShape)) {
            throw new IllegalArgumentException("boxes: expected shape " + Arrays.toString(boxShape) + ", got "
                    + (boxes == null ? "null" : Arrays.toString(boxes.shape())));
        }
        long[] glShape = {b, 1, 4L * grid, 4L * grid};
        if (gradLogits == null || !Arrays.equals(gradLogits.shape(), glShape)) {
            throw new IllegalArgumentException("gradLogits: expected shape " + Arrays.toString(glShape) + ", got "
                    + (gradLogits == null ? "null" : Arrays.toString(gradLogits.shape())));
        }
        long[] giShape = {b, 1};
        if (gradIou == null || !Arrays.equals(gradIou.shape(), giShape)) {
            throw new IllegalArgumentException("gradIou: expected shape " + Arrays.toString(giShape) + ", got "
                    + (gradIou == null ? "null" : Arrays.toString(gradIou.shape())));
        }
        return gradients.compute(NdArrays.toHeap(embedding), NdArrays.toHeap(boxes), NdArrays.toHeap(gradLogits),
                NdArrays.toHeap(gradIou), b, wrt);
    }

    /**
     * The single-mask backward into {@code g} (see {@link MaskDecoderGradient#accumulate}), continued to
     * dLoss/dembedding {@code [B, E, g, g]} row-major and the box prompt's parameters.
     */
    void backwardToEmbedding(float[] embedding, float[] boxes, float[] gradLogits, float[] gradIou, int batch,
                             GradientSums g, float[] dEmbedding) {
        gradients.accumulate(embedding, boxes, gradLogits, gradIou, batch, g, dEmbedding);
    }

    private record Result(INDArray masks, INDArray iou, float[] sparse, int boxes) {
    }

    /** Decodes every box and keeps mask tokens {@code [first, first + count)}. */
    private Result run(INDArray embedding, INDArray boxes, int first, int count) {
        return run(embedding, boxes, first, count, false);
    }

    /**
     * As {@link #decode}, through the box-at-a-time schedule of the tape path's forward
     * ({@link TwoWayTransformer#forward}) instead of {@link TwoWayTransformerInference}: the reference
     * the faster schedule is tested and benchmarked against.
     */
    Prediction decodeReference(INDArray embedding, INDArray boxes, boolean multimask) {
        Result r = run(embedding, boxes, multimask ? 1 : 0, multimask ? maskTokens - 1 : 1, true);
        return new Prediction(r.masks(), r.iou());
    }

    private Result run(INDArray embedding, INDArray boxes, int first, int count, boolean reference) {
        checkEmbedding(embedding);
        float[] box = boxes(boxes);
        int n = box.length / 4;
        int hw = grid * grid;
        int e = dim;
        int t = 1 + maskTokens + 2;
        int side = 4 * grid;
        int plane = side * side;

        DecoderBuffers buf = BUFFERS.get();
        float[] pe = prompt.densePeTokens();
        // shared by all boxes of the image, in this call and later ones: image tokens [HW, E] =
        // embedding + no_mask_embed, + PE, and the first block's image projections
        TwoWayTransformerInference schedule = inference();
        ImageContext ctx = buf.image();
        if (ctx == null || !ctx.isFor(schedule, embedding)) {
            // the thread's context being replaced gives its arrays to the new one (a new image per call is the
            // common case, a volume's slices: 12 MB of heap and 6 MB off-heap a call otherwise); the reference
            // schedule's contexts are not kept, so it neither takes nor gives
            ImageContext recycle = reference ? null : ctx;
            if (!reference) {
                buf.image(null); // a failure below leaves no half-made context behind
            }
            float[] emb = NdArrays.toHeap(embedding, recycle == null ? null : recycle.embedding());
            float[] src = recycle != null && recycle.src.length == hw * e ? recycle.src : new float[hw * e];
            float[] srcPe = recycle != null && recycle.srcPe.length == hw * e ? recycle.srcPe : new float[hw * e];
            imageTokens(emb, prompt.noMaskEmbed, pe, src, srcPe, hw);
            ctx = new ImageContext(schedule, emb, src, srcPe, reference ? null
                    : schedule.image(src, srcPe, hw, buf, recycle == null ? null : recycle.firstBlock));
            if (!reference) {
                buf.image(ctx);
            }
        }
        float[] src = ctx.src;
        float[] srcPe = ctx.srcPe;

        float[] sparse = new float[n * 2 * e];
        for (int b = 0; b < n; b++) {
            prompt.sparse(box[b * 4], box[b * 4 + 1], box[b * 4 + 2], box[b * 4 + 3], sparse, b * 2 * e);
        }
        float[] masks = buf.get(DecoderBuffers.Slot.MASKS, n * count * plane);
        float[] iou = new float[n * count];
        float[] tokens = new float[t * e];
        NativeFloats keysOut = buf.get(DecoderBuffers.Native.KEYS, (long) hw * e);
        for (int b = 0; b < n; b++) {
            System.arraycopy(outputTokens, 0, tokens, 0, outputTokens.length);
            System.arraycopy(sparse, b * 2 * e, tokens, outputTokens.length, 2 * e);
            float[] hs;
            if (reference) {
                float[] keys = buf.get(DecoderBuffers.Slot.KEYS, hw * e);
                System.arraycopy(src, 0, keys, 0, hw * e);
                hs = transformer.forward(tokens, t, keys, pe, srcPe, hw, buf);
                keysOut.put(0, keys, 0, hw * e);
            } else {
                hs = schedule.forward(tokens, t, ctx.firstBlock, src, pe, srcPe, hw, buf); // its output image tokens: keysOut
            }
            heads(b, hs, keysOut, first, count, masks, iou, buf);
        }
        return new Result(NdArrays.fromHeap(masks, n * count * plane, n, count, side, side),
                Nd4j.create(iou, new long[]{n, count}, 'c'), sparse, n);
    }

    /** Pixels per tile of {@link #imageTokens}: one cache line of each channel plane. */
    private static final int TILE = 16;

    /**
     * {@code src [HW, E] = embedding [E, HW]^T + noMask}, {@code srcPe = src + pe}, in one pass. Tiles of
     * {@link #TILE} pixels: each channel's run of the tile is copied into a contiguous scratch first, since
     * reading the channel planes directly (16 KB apart) maps every read of a pixel to the same L1 set.
     */
    private void imageTokens(float[] emb, float[] noMask, float[] pe, float[] src, float[] srcPe, int hw) {
        int e = dim;
        int tiles = (hw + TILE - 1) / TILE;
        ChunkedParallel.parallel(tiles, TILE * e * 3, (from, to) -> {
            float[] tile = new float[e * TILE];
            for (int ti = from; ti < to; ti++) {
                int p0 = ti * TILE;
                int w = Math.min(TILE, hw - p0);
                for (int ch = 0; ch < e; ch++) {
                    System.arraycopy(emb, ch * hw + p0, tile, ch * TILE, w);
                }
                for (int j = 0; j < w; j++) {
                    int o = (p0 + j) * e;
                    for (int ch = 0; ch < e; ch++) {
                        float v = tile[ch * TILE + j] + noMask[ch];
                        src[o + ch] = v;
                        srcPe[o + ch] = v + pe[o + ch];
                    }
                }
            }
        });
    }

    /**
     * Box {@code b}'s outputs from the transformer's: up-scaled features, hypernetwork MLPs of mask tokens
     * {@code [first, first + count)} and their masks into {@code masks} (box-major), IoU head into {@code iou}.
     *
     * @param hs   transformer queries {@code [T, E]}
     * @param keys transformer image tokens {@code [HW, E]}, off-heap
     */
    private void heads(int b, float[] hs, NativeFloats keys, int first, int count, float[] masks, float[] iou,
                       DecoderBuffers buf) {
        int e = dim;
        int plane = 16 * grid * grid;
        float[] hyperIn = new float[count * (e / 8)];
        for (int k = 0; k < count; k++) {
            int tok = first + k;
            float[] x = Arrays.copyOfRange(hs, (1 + tok) * e, (2 + tok) * e);
            Linear[] mlp = hyper[tok];
            for (int l = 0; l < mlp.length; l++) {
                x = mlp[l].apply(x, 1, l < mlp.length - 1 ? Activation.RELU : Activation.NONE);
            }
            System.arraycopy(x, 0, hyperIn, k * (e / 8), e / 8);
        }
        upscaler.masks(keys, hyperIn, count, masks, b * count * plane, buf);

        float[] x = Arrays.copyOf(hs, e);
        for (int l = 0; l < iouHead.length; l++) {
            x = iouHead[l].apply(x, 1, l < iouHead.length - 1 ? Activation.RELU : Activation.NONE);
        }
        System.arraycopy(x, first, iou, b * count, count);
    }

    private TwoWayTransformerInference inference() {
        TwoWayTransformerInference i = inference;
        if (i == null) {
            inference = i = new TwoWayTransformerInference(transformer);
        }
        return i;
    }

    private void checkEmbedding(INDArray embedding) {
        long[] want = {1, dim, grid, grid};
        if (embedding == null || !Arrays.equals(embedding.shape(), want)) {
            throw new IllegalArgumentException("embedding: expected shape " + Arrays.toString(want) + ", got "
                    + (embedding == null ? "null" : Arrays.toString(embedding.shape())));
        }
    }

    private static float[] boxes(INDArray boxes) {
        if (boxes == null || boxes.rank() != 2 || boxes.size(1) != 4 || boxes.size(0) < 1) {
            throw new IllegalArgumentException("boxes: expected shape [N, 4] with N >= 1, got "
                    + (boxes == null ? "null" : Arrays.toString(boxes.shape())));
        }
        return NdArrays.toHeap(boxes);
    }
}

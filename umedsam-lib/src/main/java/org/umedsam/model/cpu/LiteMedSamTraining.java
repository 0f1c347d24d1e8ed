package org.umedsam.model.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelOutput;
import org.umedsam.model.NdArrays;
import org.umedsam.model.Prediction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole box-prompted LiteMedSAM for training on the CPU engine: a forward pass that keeps its tape
 * ({@link #forward}) and the backward pass from dLoss/dlogits and dLoss/diou to any trainable parameter
 * ({@link #backward}), the image encoder included. It computes what SameDiff's full-model gradient does
 * ({@code LiteMedSam.gradients}), BatchNorm in training mode (batch statistics, gradient through them) or in
 * evaluation mode, at a fraction of its time and memory.
 *
 * <p>A snapshot of the weights: a pass and its backward use the weights of the snapshot that made the pass,
 * whatever happened to the state dict since. Gradients are summed over the batch and bit-reproducible
 * (partial sums are merged in a fixed order). Both passes run their parallel loops on the {@link SpinningWorkers},
 * which stay awake between a pass's thousands of short loops (the same bits as on the common pool).
 */
public final class LiteMedSamTraining {

    private static final String ENCODER = "image_encoder.";

    private final ModelConfig config;
    private final ImageEncoderTraining encoder;
    private final MaskDecoder decoder;
    private final Map<String, long[]> shapes;
    private final TapeArena arena;

    /** One forward pass: its outputs and, for {@link #backward}, its tape. */
    public static final class Pass implements Engine.Pass {
        private final LiteMedSamTraining owner;
        private final ImageEncoderTraining.Tape tape;
        private final float[] embedding;
        private final float[] boxes;
        private final int boxesPerImage;
        private final ModelOutput output;
        private final boolean batchStatistics;
        private boolean releaseTape;
        private boolean differentiated;

        private Pass(LiteMedSamTraining owner, ImageEncoderTraining.Tape tape, float[] embedding, float[] boxes,
                     int boxesPerImage, ModelOutput output, boolean batchStatistics) {
            this.owner = owner;
            this.boxesPerImage = boxesPerImage;
            this.batchStatistics = batchStatistics;
            this.tape = tape;
            this.embedding = embedding;
            this.boxes = boxes;
            this.output = output;
        }

        /** Logits {@code [B, 1, 4g, 4g]}, IoU {@code [B, 1]} and, with batch statistics, every BatchNorm's. */
        @Override
        public ModelOutput output() {
            return output;
        }

        /** Whether BatchNorm used the batch's statistics (training mode) rather than the running ones. */
        public boolean batchStatistics() {
            return batchStatistics;
        }

        /**
         * Makes this pass single-use, for a trainer that differentiates each pass once: its backward lets go of
         * the image encoder's tape layer by layer as the gradients are done (about 1 GB at LiteMedSAM batch 2
         * that the collector may reclaim while the backward pass still allocates), and a second backward throws
         * {@link IllegalStateException}.
         *
         * @return this pass
         */
        public Pass releasingTape() {
            releaseTape = true;
            return this;
        }

        /** {@link #releasingTape}. */
        @Override
        public Pass singleUse() {
            return releasingTape();
        }

        /** Whether this pass was single-use and has been differentiated: its tape is gone. */
        public boolean tapeReleased() {
            return releaseTape && differentiated;
        }

        /** {@link LiteMedSamTraining#backward} of this pass. */
        @Override
        public Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
            return owner.backward(this, gradLogits, gradIou, wrt);
        }
    }

    private LiteMedSamTraining(ModelConfig config, StateDictWeights w, Map<String, INDArray> stateDict,
                                  TapeArena arena) {
        this.config = config;
        this.arena = arena;
        this.encoder = new ImageEncoderTraining(config, w, arena);
        this.decoder = MaskDecoder.forTraining(config, stateDict);
        this.shapes = w.shapes("");
    }

    /**
     * Snapshot of the current weights (upstream key names and PyTorch shapes, as {@code LiteMedSam.stateDict()}).
     *
     * @throws IllegalArgumentException naming a missing or mis-shaped key
     */
    public static LiteMedSamTraining of(ModelConfig config, Map<String, INDArray> stateDict) {
        return of(config, stateDict, TapeArena.NONE);
    }

    /**
     * As {@link #of(ModelConfig, Map)}, the passes taking their maps from {@code arena} and, for single-use passes
     * ({@link Pass#releasingTape}), giving the tape back to it during the backward pass: a trainer that keeps one
     * arena for its run reuses the same arrays step after step and pass after pass.
     */
    public static LiteMedSamTraining of(ModelConfig config, Map<String, INDArray> stateDict, TapeArena arena) {
        OpenMpWaitPolicy.warnIfSpinning();
        if (config == null) {
            throw new IllegalArgumentException("config is null");
        }
        if (arena == null) {
            throw new IllegalArgumentException("arena is null (TapeArena.NONE pools nothing)");
        }
        return new LiteMedSamTraining(config, new StateDictWeights(stateDict), stateDict, arena);
    }

    /**
     * Single-mask forward pass. Several boxes may share an image: the image is embedded once and each of
     * its boxes decoded from that embedding (the backward pass sums their embedding gradients).
     *
     * @param images          {@code [B, 3, S, S]}
     * @param boxes           {@code [B K, 4]}, {@code K >= 1} boxes per image, image {@code i}'s at rows
     *                        {@code i K .. i K + K - 1}
     * @param batchStatistics BatchNorm with the batch's statistics (training mode; they are returned, the running
     *                        statistics are not touched) or with the running statistics
     */
    public Pass forward(INDArray images, INDArray boxes, boolean batchStatistics) {
        return SpinningWorkers.during(() -> forwardOnThisThread(images, boxes, batchStatistics));
    }

    /** {@link #forward}, its loops on whichever threads this thread's loops use. */
    private Pass forwardOnThisThread(INDArray images, INDArray boxes, boolean batchStatistics) {
        int s = config.imageSize();
        if (images == null || images.rank() != 4 || images.size(0) < 1 || images.size(1) != 3 || images.size(2) != s
                || images.size(3) != s) {
            throw new IllegalArgumentException("images: expected shape [B, 3, " + s + ", " + s + "] with B >= 1, got "
                    + (images == null ? "null" : Arrays.toString(images.shape())));
        }
        int b = (int) images.size(0);
        if (boxes == null || boxes.rank() != 2 || boxes.size(1) != 4 || boxes.size(0) < b || boxes.size(0) % b != 0) {
            throw new IllegalArgumentException("boxes: expected shape [" + b + " K, 4] (K boxes per image), got "
                    + (boxes == null ? "null" : Arrays.toString(boxes.shape())));
        }
        int k = (int) (boxes.size(0) / b);
        int n = b * k;
        float[] all = NdArrays.toHeap(images);
        float[][] per = new float[b][];
        for (int i = 0; i < b; i++) {
            per[i] = arena.take(3 * s * s);
            System.arraycopy(all, i * 3 * s * s, per[i], 0, 3 * s * s);
        }
        ImageEncoderTraining.Tape tape = encoder.forward(per, batchStatistics);
        int e = config.promptEmbedDim();
        int g = config.embeddingSize();
        // one embedding row per box: the decoder's backward then works box by box as with K = 1
        float[] emb = new float[n * e * g * g];
        for (int i = 0; i < n; i++) {
            System.arraycopy(tape.embedding()[i / k], 0, emb, i * e * g * g, e * g * g);
        }
        arena.give(tape.embedding()); // copied: the backward reads the pass' copy
        Arrays.fill(tape.embedding(), null);
        INDArray embedding = Nd4j.create(emb, new long[]{n, e, g, g}, 'c');
        INDArray box = boxes.castTo(DataType.FLOAT).dup('c');
        INDArray[] logits = new INDArray[n];
        INDArray[] iou = new INDArray[n];
        for (int i = 0; i < n; i++) {
            Prediction p = decoder.decode(embedding.get(NDArrayIndex.interval(i, i + 1)).dup(),
                    box.get(NDArrayIndex.interval(i, i + 1)).dup(), false);
            logits[i] = p.masks();
            iou[i] = p.iou();
        }
        List<ModelOutput.BatchNormStatistics> stats = new ArrayList<>();
        if (batchStatistics) {
            for (Conv2dBnTraining.Tape t : tape.norms()) {
                BatchNormTraining.Statistics st = t.statistics();
                stats.add(new ModelOutput.BatchNormStatistics(t.prefix() + ".bn", Nd4j.createFromArray(st.mean().clone()),
                        Nd4j.createFromArray(st.variance().clone()), st.count()));
            }
        }
        ModelOutput out = new ModelOutput(Nd4j.concat(0, logits), Nd4j.concat(0, iou), List.copyOf(stats));
        return new Pass(this, tape, emb, box.data().asFloat(), k, out, batchStatistics);
    }

    /**
     * Gradients of {@code sum(logits * gradLogits) + sum(iou * gradIou)} at the pass' weights and batch, w.r.t.
     * the named parameters: fresh float arrays in PyTorch shapes, in the order of {@code wrt}. Parameters the
     * box-prompt pass does not reach (the mask-prompt path, point embeddings 0/1, {@code not_a_point_embed}) get
     * zeros. A pass may be differentiated more than once, unless it was made {@link Pass#releasingTape single-use}.
     *
     * @param gradLogits {@code [B K, 1, 4g, 4g]}
     * @param gradIou    {@code [B K, 1]}
     * @throws IllegalArgumentException for a key that is not a parameter of the model, or a mis-shaped gradient
     * @throws IllegalStateException    for a single-use pass that was differentiated before
     */
    public Map<String, INDArray> backward(Pass pass, INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
        return SpinningWorkers.during(() -> backwardOnThisThread(pass, gradLogits, gradIou, wrt));
    }

    /** {@link #backward}, its loops on whichever threads this thread's loops use. */
    private Map<String, INDArray> backwardOnThisThread(Pass pass, INDArray gradLogits, INDArray gradIou,
                                                       Set<String> wrt) {
        if (pass == null || pass.owner != this) {
            throw new IllegalArgumentException("the pass was not made by this snapshot");
        }
        if (wrt == null) {
            throw new IllegalArgumentException("wrt is null");
        }
        boolean encoderWanted = false;
        for (String k : wrt) {
            if (k == null || !shapes.containsKey(k)) {
                throw new IllegalArgumentException("not a parameter of this model: " + k);
            }
            encoderWanted |= k.startsWith(ENCODER);
        }
        int b = pass.tape.batch() * pass.boxesPerImage;
        int side = 4 * config.embeddingSize();
        long[] glShape = {b, 1, side, side};
        if (gradLogits == null || !Arrays.equals(gradLogits.shape(), glShape)) {
            throw new IllegalArgumentException("gradLogits: expected shape " + Arrays.toString(glShape) + ", got "
                    + (gradLogits == null ? "null" : Arrays.toString(gradLogits.shape())));
        }
        if (gradIou == null || !Arrays.equals(gradIou.shape(), new long[]{b, 1})) {
            throw new IllegalArgumentException("gradIou: expected shape [" + b + ", 1], got "
                    + (gradIou == null ? "null" : Arrays.toString(gradIou.shape())));
        }
        if (pass.releaseTape && pass.differentiated) {
            throw new IllegalStateException("this single-use pass was differentiated already: its tape is released");
        }
        pass.differentiated = true;
        GradientSums g = new GradientSums();
        float[] dEmb = new float[pass.embedding.length];
        decoder.backwardToEmbedding(pass.embedding, pass.boxes, NdArrays.toHeap(gradLogits), NdArrays.toHeap(gradIou),
                b, g, dEmb);
        if (encoderWanted) {
            int per = dEmb.length / b;
            int k = pass.boxesPerImage;
            float[][] d = new float[pass.tape.batch()][];
            for (int i = 0; i < d.length; i++) {
                d[i] = Arrays.copyOfRange(dEmb, i * k * per, (i * k + 1) * per);
                // the embedding's gradient sums over the image's boxes, in box order (bit-reproducible)
                for (int q = 1; q < k; q++) {
                    int off = (i * k + q) * per;
                    float[] di = d[i];
                    for (int t = 0; t < per; t++) {
                        di[t] += dEmb[off + t];
                    }
                }
            }
            encoder.backward(pass.tape, d, g, pass.releaseTape);
        }
        return g.toArrays(wrt, shapes);
    }
}

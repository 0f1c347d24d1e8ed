package org.umedsam.infer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.data.CroppedMask;
import org.umedsam.data.ImageU8;
import org.umedsam.data.PreparedImage;
import org.umedsam.data.Preprocess;
import org.umedsam.model.Engine;
import org.umedsam.model.EmbeddingCache;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelFiles;
import org.umedsam.model.Prediction;
import org.umedsam.model.NdArrays;

/**
 * LiteMedSAM as a {@link SliceSegmenter}: {@link #embed} runs the challenge's preprocessing
 * ({@link Preprocess}: INTER_AREA resize of the longest side to 256, min-max normalisation, padding)
 * and the image encoder once ({@code [1, 3, 256, 256] -> [1, E, 64, 64]}, E = 256 for litemedsam, 128 for small); each
 * {@link SliceSegmenter.Embedded#decode} call runs the prompt encoder and mask decoder for all its
 * boxes, in batches of at most {@value #MAX_BOXES_PER_DECODE} ({@code multimask_output=False}), and
 * post-processes each {@code [256, 256]} logit map to the original size ({@code sigmoid > 0.5} after
 * bilinear up-sampling). Decoding uses {@link LiteMedSam#decodeAtWeightVersion}: the decoder's weights are
 * copied once per weight version, not per call. Where the time goes is summed in {@link #timings()}.
 *
 * <p>The model is not thread-safe, so calls are serialised on it.
 *
 * <p>Memory: on the CPU engine (float32 models, the default) every native array this class makes or gets
 * (the input {@code [1, 3, 256, 256]}, boxes, decoder outputs, and the embedding when its
 * {@link SliceSegmenter.Embedded} is closed) is freed at once with {@code close()}, so resident memory stays
 * flat over any number of slices without {@code System.gc()} (which cost about 1 % of the 3D time and
 * more on a loaded machine). The SameDiff engine allocates buffers of its own per pass; {@link LiteMedSam}
 * bounds those with its own periodic GC hint, and this class closes nothing there.
 */
public final class Predictor implements SliceSegmenter {
    /**
     * Boxes decoded in one batch: the decoder holds a copy of the embedding per box
     * ({@code [B, E, 64, 64]}, 4 MiB a box for litemedsam), so a case with hundreds of objects is decoded in
     * batches of this many.
     */
    static final int MAX_BOXES_PER_DECODE = 16;

    private final LiteMedSam model;
    private final Preprocess preprocess;
    private final EmbeddingCache cache;
    private final InferenceTimings timings = new InferenceTimings();

    public Predictor(LiteMedSam model, Preprocess preprocess) {
        this(model, preprocess, null);
    }

    /** @param cache embeddings shared with other models of the same image-encoder weights (null: none) */
    public Predictor(LiteMedSam model, Preprocess preprocess, EmbeddingCache cache) {
        this.model = model;
        this.preprocess = preprocess;
        this.cache = cache;
    }

    /** With the LiteMedSAM preprocessing ({@link Preprocess#defaults()}). */
    public static Predictor of(LiteMedSam model) {
        return new Predictor(model, Preprocess.defaults());
    }

    /**
     * Loads a checkpoint ({@link ModelFiles#load(Path)}): our own model file or a shipped model's name, an
     * upstream {@code .pth} state dict (as the preset its shapes fit), or a training run's {@code .ckpt}.
     */
    public static LiteMedSam loadModel(Path checkpoint) throws IOException {
        return ModelFiles.load(checkpoint);
    }

    /** The wrapped model. */
    public LiteMedSam model() {
        return model;
    }

    @Override
    public InferenceTimings timings() {
        return timings;
    }

    @Override
    public Embedded embed(ImageU8 image) {
        long t0 = System.nanoTime();
        PreparedImage p = preprocess.prepare(image);
        int side = p.side();
        INDArray x = NdArrays.fromHeap(p.chw(), 3 * side * side, 1, 3, side, side);
        long prepared = System.nanoTime();
        INDArray embedding;
        long t1;
        long t2;
        boolean closeable;
        synchronized (model) {
            t1 = System.nanoTime();
            embedding = cache == null ? model.embed(x) : cache.embed(model, x);
            t2 = System.nanoTime();
            closeable = model.engine().kind() == Engine.Kind.CPU;
        }
        if (closeable) {
            x.close();
        }
        synchronized (timings) {
            timings.preprocessNanos += prepared - t0;
            timings.embedNanos += t2 - t1;
            timings.embeddings++;
        }
        return new PredictorEmbedded(embedding, p, closeable);
    }

    /** One embedded image; closing frees the embedding's native buffer (CPU engine). */
    private final class PredictorEmbedded implements Embedded {
        private final INDArray embedding;
        private final PreparedImage prepared;
        private final boolean closeable;
        private boolean closed;

        PredictorEmbedded(INDArray embedding, PreparedImage prepared, boolean closeable) {
            this.embedding = embedding;
            this.prepared = prepared;
            this.closeable = closeable;
        }

        @Override
        public CroppedMask[] decode(double[][] boxes256) {
            if (closed) {
                throw new IllegalStateException("decode after close: the embedding is freed");
            }
            int n = boxes256.length;
            CroppedMask[] out = new CroppedMask[n];
            for (int from = 0; from < n; from += MAX_BOXES_PER_DECODE) {
                int to = Math.min(n, from + MAX_BOXES_PER_DECODE);
                decodeBatch(embedding, prepared, closeable, boxes256, from, to, out);
            }
            return out;
        }

        @Override
        public void close() {
            if (!closed && closeable) {
                embedding.close();
            }
            closed = true;
        }
    }

    /** Decodes boxes {@code [from, to)} in one batch into {@code out[from..to)}. */
    private void decodeBatch(INDArray embedding, PreparedImage p, boolean closeable, double[][] boxes256, int from,
                             int to, CroppedMask[] out) {
        int n = to - from;
        float[] flat = new float[n * 4];
        for (int i = 0; i < n; i++) {
            double[] b = boxes256[from + i];
            if (b.length != 4) {
                throw new IllegalArgumentException("box " + (from + i + 1) + " has " + b.length + " values, expected 4");
            }
            for (int k = 0; k < 4; k++) {
                flat[i * 4 + k] = (float) b[k];
            }
        }
        INDArray boxes = Nd4j.create(flat, new long[] {n, 4}, 'c');
        Prediction pred;
        long t0;
        long t1;
        synchronized (model) {
            t0 = System.nanoTime();
            pred = model.decodeAtWeightVersion(embedding, boxes, false);
            t1 = System.nanoTime();
        }
        int side = p.side();
        int plane = side * side;
        float[] logits = NdArrays.toHeap(pred.masks()); // [n, 1, side, side], row-major
        if (closeable) {
            boxes.close();
            pred.masks().close();
            pred.iou().close();
        }
        // one box per task: the masks are independent, and up-scaling many large ones (19 boxes on 1536 x 2040)
        // otherwise ran on one core while the other idled
        IntStream.range(0, n).parallel().forEach(i -> out[from + i] = preprocess.crop(logits, i * plane, p));
        long t2 = System.nanoTime();
        synchronized (timings) {
            timings.decodeNanos += t1 - t0;
            timings.postprocessNanos += t2 - t1;
            timings.decodeCalls++;
            timings.boxesDecoded += n;
        }
    }
}

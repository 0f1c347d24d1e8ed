package org.umedsam.infer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.data.ImageU8;
import org.umedsam.data.PreparedImage;
import org.umedsam.data.Preprocess;
import org.umedsam.model.GcCounter;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelFiles;
import org.umedsam.model.Prediction;

/**
 * LiteMedSAM as a {@link SliceSegmenter}: {@link #embed} runs the challenge's preprocessing
 * ({@link Preprocess}: INTER_AREA resize of the longest side to 256, min-max normalisation, padding)
 * and the image encoder once ({@code [1, 3, 256, 256] -> [1, 256, 64, 64]}); each
 * {@link SliceSegmenter.Embedded#decode} call runs the prompt encoder and mask decoder for all its
 * boxes, in batches of at most {@value #MAX_BOXES_PER_DECODE} ({@code multimask_output=False}), and
 * post-processes each {@code [256, 256]} logit map to the original size ({@code sigmoid > 0.5} after
 * bilinear up-sampling).
 *
 * <p>The model is not thread-safe, so calls are serialised on it.
 *
 * <p>Memory: SameDiff allocates fresh native buffers for every pass and frees them only when the Java
 * GC collects their owners; inference makes little heap garbage, so
 * without help the GC seldom runs and resident memory grows with every slice (a 64-slice volume
 * passed 6.5 GB and was killed). So every {@value #GC_EVERY} embeddings this class calls
 * {@code System.gc()} ({@link GcCounter}).
 */
public final class Predictor implements SliceSegmenter {
    static final int GC_EVERY = 4;
    /**
     * Boxes decoded in one batch: the decoder holds a copy of the embedding per box
     * ({@code [B, 256, 64, 64]}, 4 MiB a box), so a case with hundreds of objects is decoded in
     * batches of this many.
     */
    static final int MAX_BOXES_PER_DECODE = 16;

    private final LiteMedSam model;
    private final Preprocess preprocess;
    private final EmbeddingCache cache;
    private final GcCounter gc = new GcCounter(GC_EVERY);

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
     * upstream {@code .pth} state dict (as LiteMedSAM), or a training run's {@code .ckpt}.
     */
    public static LiteMedSam loadModel(Path checkpoint) throws IOException {
        return ModelFiles.load(checkpoint);
    }

    /** The wrapped model. */
    public LiteMedSam model() {
        return model;
    }

    @Override
    public Embedded embed(ImageU8 image) {
        PreparedImage p = preprocess.prepare(image);
        int side = p.side();
        INDArray x = Nd4j.create(p.chw(), new long[] {1, 3, side, side}, 'c');
        INDArray embedding;
        synchronized (model) {
            embedding = cache == null ? model.embed(x) : cache.embed(model, x);
            gc.count();
        }
        return boxes256 -> decode(embedding, p, boxes256);
    }

    private byte[][] decode(INDArray embedding, PreparedImage p, double[][] boxes256) {
        int n = boxes256.length;
        byte[][] out = new byte[n][];
        for (int from = 0; from < n; from += MAX_BOXES_PER_DECODE) {
            int to = Math.min(n, from + MAX_BOXES_PER_DECODE);
            decodeBatch(embedding, p, boxes256, from, to, out);
        }
        return out;
    }

    /** Decodes boxes {@code [from, to)} in one batch into {@code out[from..to)}. */
    private void decodeBatch(INDArray embedding, PreparedImage p, double[][] boxes256, int from, int to,
                             byte[][] out) {
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
        synchronized (model) {
            pred = model.decode(embedding, boxes, false);
        }
        INDArray masks = pred.masks().castTo(DataType.FLOAT);
        for (int i = 0; i < n; i++) {
            float[] logits = masks.get(NDArrayIndex.point(i), NDArrayIndex.point(0)).dup('c').data().asFloat();
            out[from + i] = preprocess.mask(logits, p);
        }
    }
}

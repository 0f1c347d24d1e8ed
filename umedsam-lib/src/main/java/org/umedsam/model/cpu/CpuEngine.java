package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.model.BoxesPerImage;
import org.umedsam.model.Component;
import org.umedsam.model.Engine;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelOutput;
import org.umedsam.model.Prediction;

/**
 * The engine that runs: every float32 pass in Java loops plus native sgemm, the whole backward pass included,
 * about an order of magnitude faster than SameDiff's op-by-op execution and numerically its equal (parity and
 * agreement tests).
 *
 * <p><b>Weight snapshots.</b> Its layers read copies of the weights (BatchNorm folded for evaluation). The
 * evaluation-mode image encoder ({@link #embed}; 39 ms to fold and copy for LiteMedSAM, plus its activation
 * buffers) and inference's decoder ({@link #decodeAtWeightVersion}) keep theirs for as long as the model's
 * {@link LiteMedSam#encoderWeightVersion()} and {@link LiteMedSam#decoderWeightVersion()} stay the same, so a
 * trainer that announces its writes ({@link LiteMedSam#weightsChanged}) pays one copy per optimizer step, not
 * per call. {@link #decode} and the passes that can be differentiated copy the decoder's weights at the call:
 * they see unannounced in-place writes too (SAM's perturbed weights).
 *
 * <p><b>Training memory.</b> Full-model passes take their maps from one {@link TapeArena} per engine, so steps
 * and SAM's two passes reuse the same arrays once passes are {@link Engine.Pass#singleUse() single-use}. The
 * arena lives as long as the model (at most one pass' working set), as the trainer's own arena did before the
 * engine held it.
 *
 * <p>What it does not cover goes to the model's reference engine ({@link LiteMedSam#reference()}): gradients from
 * an embedding for anything but {@code mask_decoder.*} parameters, and {@link #trace}. Float32 models only.
 */
public final class CpuEngine implements Engine {

    /** Registers this engine for {@link java.util.ServiceLoader}. */
    public static final class Provider implements Engine.Provider {
        @Override
        public Kind kind() {
            return Kind.CPU;
        }

        @Override
        public Engine create(LiteMedSam model) {
            return new CpuEngine(model);
        }
    }

    private final LiteMedSam model;
    private final EncoderSnapshots encoderSnapshots = new EncoderSnapshots();
    /** Inference's decoder, of weight version {@link #decoderSnapshotVersion}. */
    private MaskDecoder decoderSnapshot;
    private long decoderSnapshotVersion;
    /** Made at the first full-model training pass; lives as long as the engine, as a trainer's run. */
    private TapeArena arena;

    public CpuEngine(LiteMedSam model) {
        if (model.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("the CPU engine runs float32 models, this one is " + model.dataType());
        }
        this.model = model;
    }

    @Override
    public Kind kind() {
        return Kind.CPU;
    }

    /**
     * {@code CPU} and the kernel set snapshots built now use: {@code plain}, or {@code vector} and its lane count,
     * with {@code -array} when the passes over native memory are plain ({@link VectorSupport#bufferAccess()}: they
     * round differently, so an embedding cache must not mix the two).
     */
    @Override
    public String numerics() {
        if (!VectorSupport.enabled()) {
            return kind().name() + "/plain";
        }
        return kind().name() + "/vector" + VectorSupport.lanes() + (VectorSupport.bufferAccess() ? "" : "-array");
    }

    /** The evaluation-mode encoder of the model's current encoder weight version (BatchNorm folded when it moved). */
    public ImageEncoder encoderSnapshot() {
        return encoderSnapshots.at(model.encoderWeightVersion(), model.config(), model.state());
    }

    @Override
    public INDArray embed(INDArray images) {
        return encoderSnapshot().embed(images);
    }

    @Override
    public Prediction decode(INDArray embedding, INDArray boxes, boolean multimask) {
        return MaskDecoder.of(model.config(), model.state()).decode(embedding, boxes, multimask);
    }

    @Override
    public Prediction decodeAtWeightVersion(INDArray embedding, INDArray boxes, boolean multimask) {
        long version = model.decoderWeightVersion();
        if (decoderSnapshot == null || decoderSnapshotVersion != version) {
            decoderSnapshot = null; // the old copy may go before the new one is made
            decoderSnapshot = MaskDecoder.of(model.config(), model.state());
            decoderSnapshotVersion = version;
        }
        return decoderSnapshot.decode(embedding, boxes, multimask);
    }

    private TapeArena arena() {
        if (arena == null) {
            arena = new TapeArena();
        }
        return arena;
    }

    /**
     * {@inheritDoc} In {@link Mode#TRAINING} the pass keeps its tape ({@link LiteMedSamTraining}). In
     * {@link Mode#EVALUATION} the output comes from the inference path (the encoder snapshot, then the decoder per
     * box), and the backward pass runs the forward pass again with its tape, BatchNorm on running statistics.
     */
    @Override
    public Pass forward(INDArray images, INDArray boxes, Mode mode) {
        if (mode == Mode.TRAINING) {
            return LiteMedSamTraining.of(model.config(), model.state(), arena()).forward(images, boxes, true);
        }
        return new EvaluationPass(images, boxes);
    }

    /**
     * {@inheritDoc} The pass draws nothing from this engine's arena and gives nothing to it, and the arena is let go
     * first: a calibration pass of 8 images beside the arrays pooled from batch-2 training passes ran a 6 GB heap
     * out of memory (2026-12-07). The next training pass starts a new arena.
     */
    @Override
    public List<ModelOutput.BatchNormStatistics> batchNormStatistics(INDArray images, INDArray boxes) {
        arena = null;
        return LiteMedSamTraining.of(model.config(), model.state(), TapeArena.NONE).forward(images, boxes, true)
                .output().batchNormStatistics();
    }

    /** Bytes the arena of training passes holds for reuse (0 before the first training pass). */
    long pooledBytes() {
        return arena == null ? 0 : arena.pooledBytes();
    }

    /** Evaluation outputs from the inference path; gradients from a tape pass made when asked for. */
    private final class EvaluationPass implements Pass {
        private final INDArray images;
        private final INDArray boxes;
        private ModelOutput output;

        EvaluationPass(INDArray images, INDArray boxes) {
            this.images = images;
            this.boxes = boxes;
        }

        @Override
        public ModelOutput output() {
            if (output == null) {
                int k = BoxesPerImage.of(images, boxes);
                output = new DecoderPass(BoxesPerImage.repeatRows(embed(images), k), boxes).output();
            }
            return output;
        }

        @Override
        public Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
            return LiteMedSamTraining.of(model.config(), model.state(), TapeArena.NONE)
                    .forward(images, boxes, false).backward(gradLogits, gradIou, wrt);
        }
    }

    @Override
    public Pass forwardFromEmbedding(INDArray embedding, INDArray boxes) {
        return new DecoderPass(embedding, boxes);
    }

    /** The decoder from embeddings, one box per embedding; the decoder's weights copied at the pass. */
    private final class DecoderPass implements Pass {
        private final INDArray embedding;
        private final INDArray boxes;
        private final MaskDecoder decoder = MaskDecoder.of(model.config(), model.state());
        private ModelOutput output;

        DecoderPass(INDArray embedding, INDArray boxes) {
            this.embedding = embedding;
            this.boxes = boxes;
        }

        @Override
        public ModelOutput output() {
            if (output == null) {
                INDArray[] logits = new INDArray[(int) embedding.size(0)];
                INDArray[] iou = new INDArray[logits.length];
                for (int i = 0; i < logits.length; i++) {
                    Prediction p = decoder.decode(embedding.get(NDArrayIndex.interval(i, i + 1)).dup(),
                            boxes.get(NDArrayIndex.interval(i, i + 1)).dup(), false);
                    logits[i] = p.masks();
                    iou[i] = p.iou();
                }
                output = new ModelOutput(Nd4j.concat(0, logits), Nd4j.concat(0, iou), List.of());
            }
            return output;
        }

        @Override
        public Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
            if (onlyMaskDecoder(wrt)) {
                return decoder.gradients(embedding, boxes, gradLogits, gradIou, wrt);
            }
            return model.reference().forwardFromEmbedding(embedding, boxes).backward(gradLogits, gradIou, wrt);
        }
    }

    /** True when every key is a trainable mask-decoder parameter: what the decoder's backward here covers. */
    private boolean onlyMaskDecoder(Set<String> wrt) {
        Set<String> trainable = model.parameters().keySet();
        for (String k : wrt) {
            if (!trainable.contains(k) || Component.of(k) != Component.MASK_DECODER) {
                return false;
            }
        }
        return true;
    }

    /** The reference engine's: the CPU engine keeps no graph of intermediates. */
    @Override
    public Map<String, INDArray> trace(INDArray images, INDArray boxes) {
        return model.reference().trace(images, boxes);
    }
}

package org.umedsam.train;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.model.Component;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelOutput;
import org.umedsam.model.cpu.CpuLiteMedSamTraining;
import org.umedsam.model.cpu.TapeArena;

/**
 * {@link LiteMedSam} as a {@link TrainableModel}.
 *
 * <p>When only the mask decoder trains ({@link ParameterGroup#MASK_DECODER_AND_SIGMAS}) the frozen
 * image encoder runs once per batch, in evaluation mode (running BatchNorm statistics), and its
 * embedding is reused by the decoder's forward and backward passes, SAM's second pass included.
 * The U-MedSAM code keeps the whole model in training mode instead, so its frozen encoder
 * normalises with batch statistics; with a frozen encoder the evaluation-mode embedding is the one
 * inference will see.
 */
public final class LiteMedSamModel implements TrainableModel {
    private final LiteMedSam model;
    private final boolean frozenEncoder;
    private INDArray cachedImages;
    private INDArray cachedEmbedding;
    /** The CPU engine's training maps, reused by every pass of the run (see {@code TapeArena}). */
    private final TapeArena arena = new TapeArena();

    /**
     * @param frozenEncoder true for {@link ParameterGroup#MASK_DECODER_AND_SIGMAS}: embed once per batch
     */
    public LiteMedSamModel(LiteMedSam model, boolean frozenEncoder) {
        this.model = model;
        this.frozenEncoder = frozenEncoder;
    }

    /** A fresh model of a named preset ({@link ModelConfig#named}). */
    public static LiteMedSam create(String preset, long seed) {
        return LiteMedSam.create(ModelConfig.named(preset), seed);
    }

    /**
     * A fresh model of a configuration's preset and seed, its encoder frozen when the configuration trains
     * only the mask decoder and sigmas.
     */
    public static LiteMedSamModel of(TrainConfig config) {
        return new LiteMedSamModel(create(config.modelPreset(), config.seed()),
                config.trainable() == ParameterGroup.MASK_DECODER_AND_SIGMAS);
    }

    public LiteMedSam model() {
        return model;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return model.parameters();
    }

    @Override
    public Map<String, INDArray> buffers() {
        return model.buffers();
    }

    @Override
    public void weightsChanged(java.util.Collection<String> names) {
        model.weightsChanged(names);
    }

    @Override
    public Set<String> parameterNames(ParameterGroup group) {
        if (group == ParameterGroup.MASK_DECODER_AND_SIGMAS) {
            return model.parameterNames(Component.MASK_DECODER);
        }
        Set<String> all = new LinkedHashSet<>();
        for (Component c : Component.values()) {
            all.addAll(model.parameterNames(c));
        }
        return all;
    }

    private INDArray embedding(INDArray images) {
        if (images != cachedImages) {
            cachedEmbedding = model.embed(images);
            cachedImages = images;
        }
        return cachedEmbedding;
    }

    /** Boxes per image of a call: {@code boxes.size(0) / images.size(0)}, which must divide exactly. */
    private static int boxesPerImage(INDArray images, INDArray boxes) {
        long n = images.size(0);
        long b = boxes.size(0);
        if (n < 1 || b < n || b % n != 0) {
            throw new IllegalArgumentException("boxes: " + b + " rows for " + n + " images; expected K boxes per image");
        }
        return (int) (b / n);
    }

    /** Each row of {@code x} ({@code [N, ...]}) repeated {@code k} times in place: {@code [N k, ...]}. */
    static INDArray repeatRows(INDArray x, int k) {
        if (k == 1) {
            return x;
        }
        INDArray[] parts = new INDArray[(int) x.size(0) * k];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = x.get(NDArrayIndex.interval(i / k, i / k + 1));
        }
        return Nd4j.concat(0, parts);
    }

    /**
     * {@inheritDoc} {@code boxes} may hold {@code K} boxes per image ({@code [B K, 4]}): the image encoder
     * runs once per image. On the CPU engine's training path the embedding is shared; elsewhere the images
     * (or embeddings) are repeated, which gives the same outputs and summed gradients (a repeated image
     * leaves BatchNorm's batch mean and biased variance unchanged).
     */
    @Override
    public Pass forward(INDArray images, INDArray boxes, boolean training) {
        int k = boxesPerImage(images, boxes);
        if (frozenEncoder) {
            ModelOutput out = model.forwardFromEmbedding(repeatRows(embedding(images), k), boxes);
            return new Pass(out.lowResLogits(), out.iou(), out);
        }
        if (!training && model.forwardEngine() == LiteMedSam.ForwardEngine.CPU) {
            ModelOutput out = model.forwardFromEmbedding(repeatRows(model.embed(images), k), boxes);
            return new Pass(out.lowResLogits(), out.iou(), out);
        }
        if (training && model.forwardEngine() == LiteMedSam.ForwardEngine.CPU) {
            // keep the tape: the trainer's backward of this pass then costs no second forward pass (evaluation
            // passes, mostly validation, take the faster inference path and keep nothing). The trainer
            // differentiates each pass once, so the backward may let go of the tape as it goes.
            CpuLiteMedSamTraining.Pass p = model.forwardWithTape(images, boxes, true, arena).releasingTape();
            return new Pass(p.output().lowResLogits(), p.output().iou(), p);
        }
        ModelOutput out = model.forward(repeatRows(images, k), boxes, training);
        return new Pass(out.lowResLogits(), out.iou(), out);
    }

    @Override
    public Map<String, INDArray> backward(Pass pass, INDArray images, INDArray boxes, INDArray gradLogits,
                                          INDArray gradIou, boolean training, Set<String> wrt) {
        // a trainer pass is single-use: differentiated a second time, it is recomputed
        if (pass.state() instanceof CpuLiteMedSamTraining.Pass p && p.batchStatistics() == training
                && !p.tapeReleased()) {
            return model.backward(p, gradLogits, gradIou, wrt);
        }
        return gradients(images, boxes, gradLogits, gradIou, training, wrt);
    }

    @Override
    public Map<String, INDArray> gradients(INDArray images, INDArray boxes, INDArray gradLogits, INDArray gradIou,
                                           boolean training, Set<String> wrt) {
        int k = boxesPerImage(images, boxes);
        if (frozenEncoder) {
            return model.gradientsFromEmbedding(repeatRows(embedding(images), k), boxes, gradLogits, gradIou, wrt);
        }
        return model.gradients(repeatRows(images, k), boxes, gradLogits, gradIou, training, wrt);
    }

    @Override
    public void applyBatchNormStatistics(Pass pass, double momentum) {
        ModelOutput out = pass.state() instanceof CpuLiteMedSamTraining.Pass p ? p.output() : (ModelOutput) pass.state();
        model.applyBatchNormStatistics(out, momentum);
    }
}

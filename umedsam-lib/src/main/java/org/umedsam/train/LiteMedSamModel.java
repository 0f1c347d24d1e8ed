package org.umedsam.train;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.model.BoxesPerImage;
import org.umedsam.model.Component;
import org.umedsam.model.EmbeddingCache;
import org.umedsam.model.Engine;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelOutput;

/**
 * {@link LiteMedSam} as a {@link TrainableModel}.
 *
 * <p>When only the mask decoder trains ({@link ParameterGroup#MASK_DECODER_AND_SIGMAS}) the frozen
 * image encoder runs once per batch, in evaluation mode (running BatchNorm statistics), and its
 * embedding is reused by the decoder's forward and backward passes, SAM's second pass included.
 * The U-MedSAM code keeps the whole model in training mode instead, so its frozen encoder
 * normalises with batch statistics; with a frozen encoder the evaluation-mode embedding is the one
 * inference will see. Given an {@link EmbeddingCache}, a frozen encoder embeds image by image through it, so
 * runs that share the base encoder (an ablation's configurations see the same batches for a seed, and the same
 * validation items every epoch) embed each image once; an image's embedding is then the same whether it was
 * computed or found, so training stays deterministic and resumes bit for bit.
 */
public final class LiteMedSamModel implements TrainableModel {
    private final LiteMedSam model;
    private final boolean frozenEncoder;
    private final EmbeddingCache embeddings;
    private INDArray cachedImages;
    private INDArray cachedEmbedding;

    /**
     * @param frozenEncoder true for {@link ParameterGroup#MASK_DECODER_AND_SIGMAS}: embed once per batch
     */
    public LiteMedSamModel(LiteMedSam model, boolean frozenEncoder) {
        this(model, frozenEncoder, null);
    }

    /**
     * @param frozenEncoder true for {@link ParameterGroup#MASK_DECODER_AND_SIGMAS}: embed once per batch
     * @param embeddings    for a frozen encoder, embeddings shared with other models of the same encoder
     *                      weights (each image embedded alone); null: the batch is embedded at once
     */
    public LiteMedSamModel(LiteMedSam model, boolean frozenEncoder, EmbeddingCache embeddings) {
        this.model = model;
        this.frozenEncoder = frozenEncoder;
        this.embeddings = embeddings;
    }

    /** A fresh model of a named preset ({@link ModelConfig#named}). */
    public static LiteMedSam create(String preset, long seed) {
        return LiteMedSam.create(ModelConfig.named(preset), seed);
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
            cachedEmbedding = embeddings == null ? model.embed(images) : embedEach(images);
            cachedImages = images;
        }
        return cachedEmbedding;
    }

    /** {@code [B, 3, S, S] -> [B, E, g, g]}, image by image through the shared cache. */
    private INDArray embedEach(INDArray images) {
        INDArray[] each = new INDArray[(int) images.size(0)];
        for (int i = 0; i < each.length; i++) {
            each[i] = embeddings.embed(model, images.get(NDArrayIndex.interval(i, i + 1)).dup('c'));
        }
        return each.length == 1 ? each[0] : Nd4j.concat(0, each);
    }

    /**
     * {@inheritDoc} A frozen encoder's pass starts from the batch's embedding (made once per batch); otherwise the
     * model's engine runs the whole model, each image embedded once for its {@code K} boxes. Training passes are
     * {@link Engine.Pass#singleUse() single-use}: the trainer differentiates each once, so the engine may let go of
     * its tape as the backward pass goes.
     */
    @Override
    public Engine.Pass forward(INDArray images, INDArray boxes, boolean training) {
        int k = BoxesPerImage.of(images, boxes);
        if (frozenEncoder) {
            return model.passFromEmbedding(BoxesPerImage.repeatRows(embedding(images), k), boxes);
        }
        if (!training) {
            return model.pass(images, boxes, Engine.Mode.EVALUATION);
        }
        return model.pass(images, boxes, Engine.Mode.TRAINING).singleUse();
    }

    /** {@inheritDoc} None with a frozen encoder (its statistics do not move); else the engine's. */
    @Override
    public List<ModelOutput.BatchNormStatistics> batchNormStatistics(INDArray images, INDArray boxes) {
        return frozenEncoder ? List.of() : model.batchNormStatistics(images, boxes);
    }

    @Override
    public void applyBatchNormStatistics(ModelOutput output, double momentum) {
        model.applyBatchNormStatistics(output, momentum);
    }
}

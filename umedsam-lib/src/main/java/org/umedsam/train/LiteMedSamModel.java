package org.umedsam.train;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.BoxesPerImage;
import org.umedsam.model.Component;
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
 * inference will see.
 */
public final class LiteMedSamModel implements TrainableModel {
    private final LiteMedSam model;
    private final boolean frozenEncoder;
    private INDArray cachedImages;
    private INDArray cachedEmbedding;

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

    @Override
    public void applyBatchNormStatistics(ModelOutput output, double momentum) {
        model.applyBatchNormStatistics(output, momentum);
    }
}

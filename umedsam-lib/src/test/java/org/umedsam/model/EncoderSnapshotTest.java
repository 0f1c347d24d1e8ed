package org.umedsam.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.cpu.CpuEngine;
import org.umedsam.model.cpu.ImageEncoder;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CPU engine's evaluation-mode encoder snapshot is folded once per weight version: reused while the
 * weights are unchanged, rebuilt after an in-place change is announced ({@code weightsChanged}) and after the
 * model's own writers (state-dict loading, BatchNorm statistics); the rebuilt one embeds as a fresh snapshot
 * of the changed weights does.
 */
class EncoderSnapshotTest {

    static INDArray image(long seed) {
        Random r = new Random(seed);
        float[] v = new float[3 * 256 * 256];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Nd4j.create(v, new long[]{1, 3, 256, 256}, 'c');
    }

    @Test
    void reusedWhileUnchangedAndRebuiltAfterAnInPlaceChange() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 3L);
        INDArray img = image(1);
        INDArray first = m.embed(img);
        ImageEncoder snapshot = ((CpuEngine) m.engine()).encoderSnapshot();
        INDArray second = m.embed(img);
        assertThat(((CpuEngine) m.engine()).encoderSnapshot()).isSameAs(snapshot);
        assertThat(second).isEqualTo(first);

        // decoder-only writes (what a frozen-encoder optimizer step announces) keep the encoder's snapshot
        long version = m.encoderWeightVersion();
        m.weightsChanged(Set.of("mask_decoder.iou_token.weight", "log_sigma"));
        m.embed(img);
        assertThat(m.encoderWeightVersion()).isEqualTo(version);
        assertThat(((CpuEngine) m.engine()).encoderSnapshot()).isSameAs(snapshot);

        // an in-place write to an encoder weight and a BatchNorm statistic, announced
        String w = "image_encoder.layers.1.blocks.0.mlp.fc2.bias";
        String bn = "image_encoder.patch_embed.seq.0.bn.running_mean";
        m.parameters().get(w).addi(0.5);
        m.buffers().get(bn).addi(0.3);
        m.weightsChanged(List.of(w, bn));
        assertThat(m.encoderWeightVersion()).isGreaterThan(version);
        INDArray changed = m.embed(img);
        assertThat(((CpuEngine) m.engine()).encoderSnapshot()).isNotSameAs(snapshot);
        INDArray fresh = ImageEncoder.of(m.config(), m.stateDict()).embed(img);
        assertThat(changed).isEqualTo(fresh);
        assertThat(changed.sub(first).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        ImageEncoder rebuilt = ((CpuEngine) m.engine()).encoderSnapshot();
        m.embed(img);
        assertThat(((CpuEngine) m.engine()).encoderSnapshot()).isSameAs(rebuilt);
    }

    @Test
    void theModelsOwnWritersAdvanceTheVersion() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 4L);
        INDArray img = image(2);
        m.embed(img);
        ImageEncoder snapshot = ((CpuEngine) m.engine()).encoderSnapshot();

        m.loadStateDict(LiteMedSam.create(ModelConfig.small(), 5L).stateDict());
        INDArray loaded = m.embed(img);
        assertThat(((CpuEngine) m.engine()).encoderSnapshot()).isNotSameAs(snapshot);
        assertThat(loaded).isEqualTo(LiteMedSam.create(ModelConfig.small(), 5L).embed(img));

        snapshot = ((CpuEngine) m.engine()).encoderSnapshot();
        long version = m.encoderWeightVersion();
        ModelOutput train = m.forward(Nd4j.concat(0, img, image(3)), Nd4j.createFromArray(new float[][]{{10, 10, 90, 90},
                {30, 40, 200, 210}}), true);
        m.applyBatchNormStatistics(train, 0.1);
        assertThat(m.encoderWeightVersion()).isGreaterThan(version);
        INDArray after = m.embed(img);
        assertThat(((CpuEngine) m.engine()).encoderSnapshot()).isNotSameAs(snapshot);
        assertThat(after).isEqualTo(ImageEncoder.of(m.config(), m.stateDict()).embed(img));

        // a pass without BatchNorm statistics (a decoder-only forward) changes nothing
        version = m.encoderWeightVersion();
        m.applyBatchNormStatistics(m.forwardFromEmbedding(after, Nd4j.createFromArray(new float[][]{{10, 10, 90, 90}})), 0.1);
        assertThat(m.encoderWeightVersion()).isEqualTo(version);
    }
}

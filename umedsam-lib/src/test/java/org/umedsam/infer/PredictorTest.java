package org.umedsam.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.umedsam.data.ImageU8;
import org.umedsam.data.PreparedImage;
import org.umedsam.data.Preprocess;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;

/**
 * The predictor's masks equal the plain path (preprocess, {@code LiteMedSam.embed}, {@code LiteMedSam.decode}
 * with a fresh weight snapshot, up-sample, {@code sigmoid > 0.5}); its decoder snapshot follows announced
 * weight changes; its timings count what it did; a closed embedding cannot be decoded.
 */
class PredictorTest {
    static final int H = 90;
    static final int W = 130;

    static ImageU8 image(long seed) {
        byte[] b = new byte[H * W];
        new Random(seed).nextBytes(b);
        return new ImageU8(H, W, 1, b);
    }

    /** The unoptimised path, written out. */
    static byte[] plainMask(LiteMedSam m, ImageU8 img, double[] box256) {
        Preprocess pre = Preprocess.defaults();
        PreparedImage p = pre.prepare(img);
        INDArray emb = m.embed(Nd4j.create(p.chw(), new long[] {1, 3, 256, 256}, 'c'));
        Prediction pred = m.decode(emb, Nd4j.createFromArray(new float[][] {{(float) box256[0], (float) box256[1],
                (float) box256[2], (float) box256[3]}}), false);
        float[] logits = pred.masks().castTo(DataType.FLOAT).get(NDArrayIndex.point(0), NDArrayIndex.point(0)).dup('c')
                .data().asFloat();
        float[] up = org.umedsam.data.Postprocess.upsampleLogits(logits, 256, p.newH(), p.newW(), H, W);
        byte[] out = new byte[up.length];
        for (int i = 0; i < up.length; i++) {
            out[i] = (byte) (org.umedsam.data.Postprocess.isForeground(up[i]) ? 1 : 0);
        }
        return out;
    }

    @Test
    void masksEqualThePlainPathAndTimingsCountTheWork() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 21L);
        Predictor p = Predictor.of(m);
        double[][] boxes = {{10, 20, 120, 150}, {40, 40, 90, 100}, {0, 0, 255, 170}};
        ImageU8 img = image(5);
        InferenceTimings before = p.timings().copy();
        org.umedsam.data.CroppedMask[] masks;
        try (SliceSegmenter.Embedded e = p.embed(img)) {
            masks = e.decode(boxes);
        }
        for (int i = 0; i < boxes.length; i++) {
            assertThat(masks[i].toFrame()).as("box %d", i).isEqualTo(plainMask(m, img, boxes[i]));
        }
        InferenceTimings t = p.timings().minus(before);
        assertThat(t.embeddings()).isEqualTo(1);
        assertThat(t.decodeCalls()).isEqualTo(1);
        assertThat(t.boxesDecoded()).isEqualTo(3);
        assertThat(t.embedNanos()).isPositive();
        assertThat(t.decodeNanos()).isPositive();
        assertThat(t.timedNanos()).isGreaterThanOrEqualTo(t.modelNanos());
    }

    @Test
    void aClosedEmbeddingRefusesToDecode() {
        Predictor p = Predictor.of(LiteMedSam.create(ModelConfig.small(), 22L));
        SliceSegmenter.Embedded e = p.embed(image(6));
        e.close();
        e.close(); // idempotent
        assertThatThrownBy(() -> e.decode(new double[][] {{1, 1, 50, 50}})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("close");
    }

    @Test
    void decoderSnapshotFollowsAnnouncedChangesOnly() {
        LiteMedSam m = LiteMedSam.create(ModelConfig.small(), 23L);
        INDArray emb = Nd4j.rand(DataType.FLOAT, 1, m.config().promptEmbedDim(), 64, 64);
        INDArray box = Nd4j.createFromArray(new float[][] {{10, 10, 100, 100}});
        double base = m.decodeAtWeightVersion(emb, box, false).iou().getDouble(0);
        assertThat(m.decode(emb, box, false).iou().getDouble(0)).isEqualTo(base);
        String k = "mask_decoder.iou_prediction_head.layers.2.bias";
        m.parameters().get(k).addi(0.25);
        // unannounced: the snapshot is still the old weights; decode sees the write at once
        assertThat(m.decodeAtWeightVersion(emb, box, false).iou().getDouble(0)).isEqualTo(base);
        assertThat(m.decode(emb, box, false).iou().getDouble(0)).isCloseTo(base + 0.25,
                org.assertj.core.data.Offset.offset(1e-5));
        long v = m.decoderWeightVersion();
        m.weightsChanged(List.of("image_encoder.neck.0.weight")); // an encoder key leaves the decoder's version
        assertThat(m.decoderWeightVersion()).isEqualTo(v);
        m.weightsChanged(List.of(k));
        assertThat(m.decoderWeightVersion()).isEqualTo(v + 1);
        assertThat(m.decodeAtWeightVersion(emb, box, false).iou().getDouble(0)).isCloseTo(base + 0.25,
                org.assertj.core.data.Offset.offset(1e-5));
    }
}

package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoder's per-image context is reused only for the same schedule and the same embedding values. */
class ImageContextTest {

    @Test
    void readsAnEmbeddingWhereItLivesWithTheSameVerdicts() {
        Object owner = new Object();
        int n = 3 * (1 << 14) + 5; // several compare chunks and a partial one
        float[] emb = new float[n];
        for (int i = 0; i < n; i++) {
            emb[i] = (float) Math.sin(i);
        }
        ImageContext ctx = new ImageContext(owner, emb.clone(), new float[0], new float[0], null);
        assertThat(ctx.isFor(owner, Nd4j.create(emb.clone(), new long[]{1, n}, 'c'))).isTrue();
        assertThat(ctx.isFor(new Object(), Nd4j.create(emb.clone(), new long[]{1, n}, 'c'))).as("another schedule").isFalse();
        float[] last = emb.clone();
        last[n - 1] = Math.nextUp(last[n - 1]);
        assertThat(ctx.isFor(owner, Nd4j.create(last, new long[]{1, n}, 'c'))).as("one ulp in the last chunk").isFalse();
        for (int at : new int[]{0, (1 << 14) + 7, 2 * (1 << 14)}) { // chunks are compared in parallel, in any order
            float[] one = emb.clone();
            one[at] = Math.nextUp(one[at]);
            assertThat(ctx.isFor(owner, Nd4j.create(one, new long[]{1, n}, 'c'))).as("one ulp at %d", at).isFalse();
        }
        INDArray wider = Nd4j.create(DataType.FLOAT, 2, n);
        wider.putRow(1, Nd4j.create(emb.clone(), new long[]{1, n}, 'c'));
        assertThat(ctx.isFor(owner, wider.getRow(1, true))).as("a view at an offset").isTrue();
        assertThat(ctx.isFor(owner, Nd4j.create(emb.clone(), new long[]{1, n}, 'c').castTo(DataType.DOUBLE)))
                .as("float64 holding the same floats").isTrue();
        assertThat(ctx.isFor(owner, Nd4j.create(new float[n - 1], new long[]{1, n - 1}, 'c'))).as("length").isFalse();
    }

    @Test
    void matchesOnlyItsOwnerAndTheSameBits() {
        Object owner = new Object();
        float[] emb = {1f, 0f, -2.5f};
        ImageContext ctx = new ImageContext(owner, emb.clone(), new float[0], new float[0], null);
        assertThat(ctx.isFor(owner, emb.clone())).isTrue();
        assertThat(ctx.isFor(new Object(), emb.clone())).as("another schedule").isFalse();
        assertThat(ctx.isFor(owner, new float[]{1f, -0f, -2.5f})).as("-0 is not 0").isFalse();
        assertThat(ctx.isFor(owner, new float[]{1f, 0f, Math.nextUp(-2.5f)})).as("one ulp").isFalse();
        assertThat(ctx.isFor(owner, new float[]{1f, 0f})).as("length").isFalse();
    }

    @Test
    void reusedContextGivesTheBitsOfAFreshOneAndNeverAStaleOne() {
        ModelConfig c = ModelConfig.small();
        LiteMedSam model = LiteMedSam.create(c, 3L);
        MaskDecoder dec = MaskDecoder.of(c, model.stateDict());
        Nd4j.getRandom().setSeed(21L);
        INDArray a = Nd4j.randn(DataType.FLOAT, 1, c.promptEmbedDim(), c.embeddingSize(), c.embeddingSize());
        INDArray b = a.dup();
        b.putScalar(new long[]{0, 1, 2, 3}, b.getFloat(0, 1, 2, 3) + 0.5f);
        INDArray box = Nd4j.createFromArray(new float[][]{{30, 40, 150, 170}});

        Prediction first = dec.decode(a, box, false);   // makes a's context
        Prediction again = dec.decode(a.dup(), box, false); // equal values: reused
        Prediction other = dec.decode(b, box, false);   // one value changed: a new context
        Prediction fresh = MaskDecoder.of(c, model.stateDict()).decode(b, box, false); // another decoder: its own

        assertThat(MaskDecoderParityTest.compare("reused context", again.masks(), first.masks())).isEqualTo(0.0);
        assertThat(MaskDecoderParityTest.compare("reused context iou", again.iou(), first.iou())).isEqualTo(0.0);
        assertThat(MaskDecoderParityTest.compare("changed embedding", other.masks(), first.masks())).isGreaterThan(0.0);
        assertThat(MaskDecoderParityTest.compare("fresh decoder", fresh.masks(), other.masks())).isEqualTo(0.0);
    }

    @Test
    void aReplacedContextsArraysServeTheNextImageWithoutChangingABit() {
        ModelConfig c = ModelConfig.small();
        LiteMedSam model = LiteMedSam.create(c, 4L);
        MaskDecoder dec = MaskDecoder.of(c, model.stateDict());
        Nd4j.getRandom().setSeed(22L);
        INDArray[] images = new INDArray[3];
        for (int i = 0; i < images.length; i++) {
            images[i] = Nd4j.randn(DataType.FLOAT, 1, c.promptEmbedDim(), c.embeddingSize(), c.embeddingSize());
        }
        INDArray box = Nd4j.createFromArray(new float[][]{{30, 40, 150, 170}, {5, 9, 100, 60}});
        Prediction[] alone = new Prediction[images.length];
        for (int i = 0; i < images.length; i++) { // each on a decoder of its own: a first context
            alone[i] = MaskDecoder.of(c, model.stateDict()).decode(images[i], box, false);
        }
        // one decoder, image after image and back: every context after the first overwrites the one before
        int[] order = {0, 1, 2, 1, 0};
        for (int i : order) {
            Prediction p = dec.decode(images[i], box, false);
            assertThat(MaskDecoderParityTest.compare("image " + i + " on recycled arrays", p.masks(), alone[i].masks()))
                    .isEqualTo(0.0);
            assertThat(MaskDecoderParityTest.compare("image " + i + " iou", p.iou(), alone[i].iou())).isEqualTo(0.0);
        }
        // another model's decoder on the same thread in between: its context replaces this one's, sizes permitting
        MaskDecoder other = MaskDecoder.of(c, LiteMedSam.create(c, 5L).stateDict());
        Prediction otherFirst = other.decode(images[2], box, false);
        assertThat(MaskDecoderParityTest.compare("after another model", dec.decode(images[0], box, false).masks(),
                alone[0].masks())).isEqualTo(0.0);
        assertThat(MaskDecoderParityTest.compare("the other model again", other.decode(images[2], box, false).masks(),
                otherFirst.masks())).isEqualTo(0.0);
    }
}

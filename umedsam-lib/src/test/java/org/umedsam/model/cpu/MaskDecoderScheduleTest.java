package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inference schedule ({@link TwoWayTransformerInference} and its cross attentions) computes the
 * same function as the tape path's forward ({@link MaskDecoder#decodeReference}), on the small preset
 * with random weights; {@link Softmax#columns} is a softmax down each column and {@link Softmax#wideRow}
 * one along a row, and so are their forms with vectorised exponentials ({@link Softmax#columnsVector},
 * {@link Softmax#wideRowVector}).
 */
class MaskDecoderScheduleTest {

    @Test
    void inferenceScheduleMatchesTapeSchedule() {
        ModelConfig c = ModelConfig.small();
        LiteMedSam model = LiteMedSam.create(c, 3L);
        MaskDecoder cpu = MaskDecoder.of(c, model.stateDict());
        Nd4j.getRandom().setSeed(21L);
        INDArray emb = Nd4j.randn(DataType.FLOAT, 1, c.promptEmbedDim(), c.embeddingSize(), c.embeddingSize());
        INDArray boxes = Nd4j.createFromArray(new float[][]{{5, 9, 130, 210}, {60, 60, 70, 75}});
        for (boolean multi : new boolean[]{false, true}) {
            Prediction ref = cpu.decodeReference(emb, boxes, multi);
            Prediction got = cpu.decode(emb, boxes, multi);
            assertThat(got.masks().shape()).isEqualTo(ref.masks().shape());
            assertThat(MaskDecoderParityTest.compare("schedule masks " + multi, got.masks(), ref.masks()))
                    .isLessThanOrEqualTo(1e-5);
            assertThat(MaskDecoderParityTest.compare("schedule iou " + multi, got.iou(), ref.iou()))
                    .isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void columnSoftmaxNormalisesEachColumnOfTheRange() {
        int n = 5;
        int stride = 9;
        float[] x = new float[2 + n * stride];
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 3;
        }
        float[] in = x.clone();
        float scale = 0.7f;
        Softmax.columns(x, 2, n, stride, 3, 8, scale, new float[5]);
        for (int j = 0; j < stride; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, in[2 + i * stride + j]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(scale * (in[2 + i * stride + j] - max));
            }
            for (int i = 0; i < n; i++) {
                int at = 2 + i * stride + j;
                if (j >= 3 && j < 8) {
                    assertThat((double) x[at]).isCloseTo(Math.exp(scale * (in[at] - max)) / sum, org.assertj.core.data.Offset.offset(1e-6));
                } else {
                    assertThat(x[at]).as("outside the column range").isEqualTo(in[at]);
                }
            }
        }
        assertThat(x[0]).isEqualTo(in[0]);
        assertThat(x[1]).isEqualTo(in[1]);
    }

    @Test
    void wideRowSoftmaxAgreesWithTheExactOne() {
        int n = 4099; // not a multiple of the eight partial sums
        float[] x = new float[3 + n];
        java.util.Random r = new java.util.Random(8);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 4;
        }
        float[] in = x.clone();
        float scale = 0.25f;
        Softmax.wideRow(x, 3, n, scale);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 3; i < x.length; i++) {
            max = Math.max(max, in[i]);
        }
        double sum = 0;
        for (int i = 3; i < x.length; i++) {
            sum += Math.exp(scale * (in[i] - max));
        }
        for (int i = 0; i < x.length; i++) {
            if (i < 3) {
                assertThat(x[i]).isEqualTo(in[i]);
            } else {
                double want = Math.exp(scale * (in[i] - max)) / sum;
                assertThat((double) x[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(2e-6 * want + 1e-12));
            }
        }
    }

    @Test
    void vectorisedSoftmaxesAgreeWithTheExactOnes() {
        java.util.Random r = new java.util.Random(12);
        float scale = 0.3f;
        // along a row (4099: not a multiple of the eight partial sums), from an offset
        int n = 4099;
        float[] x = new float[3 + n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian() * 6;
        }
        float[] in = x.clone();
        Softmax.wideRowVector(x, 3, n, scale);
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int i = 3; i < x.length; i++) {
            max = Math.max(max, in[i]);
        }
        for (int i = 3; i < x.length; i++) {
            sum += Math.exp(scale * (in[i] - max));
        }
        for (int i = 0; i < x.length; i++) {
            if (i < 3) {
                assertThat(x[i]).isEqualTo(in[i]);
            } else {
                double want = Math.exp(scale * (in[i] - max)) / sum;
                // the exponential is within 1.5e-7 absolute (before dividing by the sum)
                assertThat((double) x[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(2e-6 * want + 2e-7 / sum));
            }
        }
        // down columns [3, 8) of a [5, 9] block at offset 2
        int rows = 5;
        int stride = 9;
        float[] y = new float[2 + rows * stride];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) r.nextGaussian() * 6;
        }
        float[] yin = y.clone();
        Softmax.columnsVector(y, 2, rows, stride, 3, 8, scale, new float[5], new float[5]);
        for (int j = 0; j < stride; j++) {
            double m = Double.NEGATIVE_INFINITY;
            double s = 0;
            for (int i = 0; i < rows; i++) {
                m = Math.max(m, yin[2 + i * stride + j]);
            }
            for (int i = 0; i < rows; i++) {
                s += Math.exp(scale * (yin[2 + i * stride + j] - m));
            }
            for (int i = 0; i < rows; i++) {
                int at = 2 + i * stride + j;
                if (j >= 3 && j < 8) {
                    assertThat((double) y[at]).isCloseTo(Math.exp(scale * (yin[at] - m)) / s,
                            org.assertj.core.data.Offset.offset(1e-6));
                } else {
                    assertThat(y[at]).as("outside the column range").isEqualTo(yin[at]);
                }
            }
        }
        assertThat(y[0]).isEqualTo(yin[0]);
        assertThat(y[1]).isEqualTo(yin[1]);
    }
}

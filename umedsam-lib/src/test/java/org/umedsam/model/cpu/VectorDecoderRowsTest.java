package org.umedsam.model.cpu;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.NdArrays;
import org.umedsam.model.PlainKernels;
import org.umedsam.model.Prediction;
import org.umedsam.model.VectorSupport;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The mask decoder's vectorised row passes ({@link VectorDecoderRows}) against the plain-Java arithmetic they
 * replace, in place in native memory, and the whole decoder with them against the decoder with the plain kernels.
 */
class VectorDecoderRowsTest {

    /** These kernels load and store in a {@code ByteBuffer}, which only JDK 17's Vector API offers. */
    @BeforeAll
    static void needsBufferAccess() {
        Assumptions.assumeTrue(VectorSupport.bufferAccess(),
                "this JVM's Vector API has no ByteBuffer loads; the engine does not use these kernels here");
    }

    private static float[] offsetGaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 2 + 0.7); // an offset, so the mean matters
        }
        return x;
    }

    private static NativeFloats nativeOf(float[] x) {
        NativeFloats n = new NativeFloats().ensure(x.length);
        n.put(0, x, 0, x.length);
        return n;
    }

    @ParameterizedTest(name = "first block {0}")
    @ValueSource(booleans = {true, false})
    void residualNormIsLayerNormOfTheSumAndAddsPe(boolean firstBlock) {
        int e = 8 * VectorSupport.lanes();
        int rows = 3;
        Random random = new Random(firstBlock ? 1 : 2);
        float[] src = offsetGaussian(random, rows * e);
        float[] keysIn = offsetGaussian(random, rows * e);
        float[] attnIn = offsetGaussian(random, rows * e);
        float[] pe = offsetGaussian(random, rows * e);
        float[] bias = KernelTestSupport.rand(random, e);
        float[] w = KernelTestSupport.rand(random, e);
        float[] b = KernelTestSupport.rand(random, e);
        NativeFloats keys = nativeOf(keysIn);
        NativeFloats attn = nativeOf(attnIn);
        NativeFloats keysPe = KernelTestSupport.poisoned(rows * e);
        float[] row = new float[e];
        for (int r = 0; r < rows; r++) {
            VectorDecoderRows.residualNorm(firstBlock ? src : null, keys.bytes(), attn.bytes(), r, e, bias, w, b, 1e-5f,
                    pe, keysPe.bytes(), row);
        }
        float[] gotKeys = KernelTestSupport.read(keys, rows * e);
        float[] gotPe = KernelTestSupport.read(keysPe, rows * e);
        float[] in = firstBlock ? src : keysIn;
        float[] a = new float[e];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < e; i++) {
                a[i] = in[r * e + i] + (attnIn[r * e + i] + bias[i]);
            }
            LayerNorm.row(a, 0, a, 0, e, w, b, 1e-5f);
            for (int i = 0; i < e; i++) {
                assertThat(gotKeys[r * e + i]).as("keys row %d, value %d", r, i).isCloseTo(a[i], within(1e-5f));
                assertThat(gotPe[r * e + i]).as("keys + PE row %d, value %d", r, i)
                        .isCloseTo(a[i] + pe[r * e + i], within(1e-5f));
            }
        }
    }

    @Test
    void biasNormGeluIsGeluOfLayerNormOfTheBiasedRow() {
        int c = 4 * VectorSupport.lanes();
        int rows = 4;
        Random random = new Random(3);
        float[] y = offsetGaussian(random, rows * c);
        float[] bias = KernelTestSupport.rand(random, c);
        float[] w = KernelTestSupport.rand(random, c);
        float[] b = KernelTestSupport.rand(random, c);
        NativeFloats n = nativeOf(y);
        float[] row = new float[c];
        for (int r = 0; r < rows; r++) {
            VectorDecoderRows.biasNormGelu(n.bytes(), r, c, bias, w, b, 1e-6f, row);
        }
        float[] got = KernelTestSupport.read(n, rows * c);
        float[] a = new float[c];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < c; i++) {
                a[i] = y[r * c + i] + bias[i];
            }
            LayerNorm.row(a, 0, a, 0, c, w, b, 1e-6f);
            for (int i = 0; i < c; i++) {
                assertThat(got[r * c + i]).as("row %d, value %d", r, i).isCloseTo(Gelu.gelu(a[i]), within(1e-5f));
            }
        }
    }

    @Test
    void maskPixelDotsEachMaskTokenWithTheGeluOfEverySubPixel() {
        int c2 = 2 * VectorSupport.lanes();
        int k = 3;
        int pixel = 2;
        Random random = new Random(4);
        float[] features = offsetGaussian(random, (pixel + 1) * 16 * c2);
        float[] b2 = KernelTestSupport.rand(random, c2);
        float[] hyper = KernelTestSupport.rand(random, k * c2);
        float[] d = new float[16 * k];
        VectorDecoderRows.maskPixel(nativeOf(features).bytes(), pixel, c2, b2, hyper, k, new float[16 * c2], d);
        for (int kk = 0; kk < k; kk++) {
            for (int s = 0; s < 16; s++) {
                double sum = 0;
                for (int c = 0; c < c2; c++) {
                    sum += (double) hyper[kk * c2 + c] * Gelu.gelu(features[(pixel * 16 + s) * c2 + c] + b2[c]);
                }
                assertThat(d[kk * 16 + s]).as("mask %d, sub-pixel %d", kk, s).isCloseTo((float) sum, within(1e-5f));
            }
        }
    }

    @Test
    void decoderWithTheVectorPassesMatchesThePlainOne() {
        ModelConfig c = ModelConfig.small();
        LiteMedSam model = LiteMedSam.create(c, 5L);
        MaskDecoder vector = MaskDecoder.of(c, model.stateDict());
        MaskDecoder plain = PlainKernels.get(() -> MaskDecoder.of(c, model.stateDict()));
        Nd4j.getRandom().setSeed(8L);
        INDArray emb = Nd4j.randn(DataType.FLOAT, 1, c.promptEmbedDim(), c.embeddingSize(), c.embeddingSize());
        INDArray boxes = Nd4j.createFromArray(new float[][]{{5, 9, 130, 210}, {60, 60, 70, 75}});
        for (boolean multi : new boolean[]{false, true}) {
            Prediction got = vector.decode(emb, boxes, multi);
            Prediction ref = plain.decode(emb, boxes, multi);
            assertThat(MaskDecoderParityTest.compare("vector passes masks " + multi, got.masks(), ref.masks()))
                    .isLessThanOrEqualTo(1e-5);
            assertThat(MaskDecoderParityTest.compare("vector passes iou " + multi, got.iou(), ref.iou()))
                    .isLessThanOrEqualTo(1e-5);
            assertThat(NdArrays.toHeap(got.masks())).as("the passes differ in rounding, so they ran")
                    .isNotEqualTo(NdArrays.toHeap(ref.masks()));
        }
    }
}

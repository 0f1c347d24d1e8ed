package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.umedsam.model.ModelConfig;

/**
 * The mask decoder's output up-scaling and mask product (mask_decoder.py {@code predict_masks}):
 * ConvTranspose2d(E, E/4, 2, stride 2), LayerNorm2d (eps 1e-6), GELU, ConvTranspose2d(E/4, E/8, 2,
 * stride 2), GELU, then {@code mask_k = hyper_k [E/8] . features [E/8, 4g, 4g]}.
 *
 * <p>A 2x2 stride-2 transposed convolution maps each input pixel to its own 2x2 output block, so on
 * pixel-major ("NHWC") rows it is one GEMM: {@code [pixels, Cin] . W' [Cin, 4 Cout]} with the columns
 * ordered (dy, dx, channel). Every later step is per pixel, so the 4x4 sub-pixel blocks stay in GEMM
 * order ({@code [g*g*16, E/8]}, rows (y, x, dy1, dx1, dy2, dx2)) and only the final mask values are
 * scattered to {@code (4y + 2dy1 + dy2, 4x + 2dx1 + dx2)}.
 */
final class MaskUpscaler {

    static final String P = "mask_decoder.output_upscaling.";

    /** E, and the channels after the first and second transposed convolution (E/4, E/8). */
    final int dim;
    final int c1;
    final int c2;
    /** g: the image tokens form a {@code g x g} grid. */
    final int grid;
    /** {@code [E, 4 * c1]}, columns (dy, dx, channel). */
    final float[] w1;
    final float[] b1;
    /** LayerNorm2d {weight, bias} {@code [c1]} each. */
    final float[][] norm;
    /** {@code [c1, 4 * c2]}, columns (dy, dx, channel). */
    final float[] w2;
    final float[] b2;
    /** {@code b2} repeated for the 16 sub-pixels of an input pixel. */
    private final float[] b2Tiled;
    /** Whether the inference passes run {@link VectorDecoderRows} (chosen when the snapshot is built). */
    private final boolean vectorRows;

    MaskUpscaler(ModelConfig c, StateDictWeights w) {
        this.dim = c.promptEmbedDim();
        this.c1 = dim / 4;
        this.c2 = dim / 8;
        this.grid = c.embeddingSize();
        this.w1 = subPixelColumns(w.get(P + "0.weight", dim, c1, 2, 2), dim, c1);
        this.b1 = w.get(P + "0.bias", c1);
        this.norm = w.norm(P + "1", c1);
        this.w2 = subPixelColumns(w.get(P + "3.weight", c1, c2, 2, 2), c1, c2);
        this.b2 = w.get(P + "3.bias", c2);
        this.b2Tiled = new float[16 * c2];
        for (int s = 0; s < 16; s++) {
            System.arraycopy(b2, 0, b2Tiled, s * c2, c2);
        }
        // c2: the mask product's rows
        this.vectorRows = DecoderKernels.vector() && LayerNorm.vectorRows(c1) && VectorLayerNorm.supports(c2);
    }

    /** PyTorch ConvTranspose2d weight {@code [in, out, 2, 2]} -> {@code [in, 4 * out]}, columns (dy, dx, out). */
    static float[] subPixelColumns(float[] w, int in, int out) {
        float[] r = new float[in * 4 * out];
        for (int ci = 0; ci < in; ci++) {
            for (int co = 0; co < out; co++) {
                for (int q = 0; q < 4; q++) {
                    r[ci * 4 * out + q * out + co] = w[(ci * out + co) * 4 + q];
                }
            }
        }
        return r;
    }

    /**
     * {@code masks[k, :, :] = hyper[k] . GELU(up2(GELU(LN(up1(keys)))) + b2)} as {@code [K, 4g, 4g]} logits: both
     * transposed convolutions (products off-heap, no staging copies), the LayerNorm2d and GELUs, and the mask
     * products, the same arithmetic as the tape pass ({@link #forwardWithTape}).
     * Every step is per input pixel, so the Java threads take blocks of pixels ({@link #PIXEL_BLOCKS_PER_THREAD}) and
     * compute each block's four steps alone ({@link ChunkedParallel#tasks}), one fork for the whole up-scaling
     * instead of four.
     *
     * @param keys  transformer output image tokens {@code [g*g, E]}, off-heap
     * @param hyper {@code [K, E/8]}
     * @param out   receives {@code K * (4g)^2} values from {@code outOff}
     * @param buf   scratch buffers (its native UP1 and UP2 slots)
     */
    void masks(NativeFloats keys, float[] hyper, int k, float[] out, int outOff, DecoderBuffers buf) {
        int hw = grid * grid;
        NativeFloats y1 = buf.get(DecoderBuffers.Native.UP1, (long) hw * 4 * c1);
        NativeFloats y2 = buf.get(DecoderBuffers.Native.UP2, (long) hw * 16 * c2);
        INDArray[] w = resident();
        int threads = RowParallelGemm.threads();
        int blocks = Math.min(hw, PIXEL_BLOCKS_PER_THREAD * threads);
        ChunkedParallel.tasks(blocks, threads, (block, slot) -> {
            int p0 = (int) ((long) hw * block / blocks);
            int n = (int) ((long) hw * (block + 1) / blocks) - p0;
            // y1 [hw, 4 c1] rows p0.. = keys rows p0.. . W1; then per (pixel, sub-pixel) row of c1 values
            RowParallelGemm.multiply(keys, p0, n, dim, w[0], false, 4 * c1, y1, p0, 0.0);
            biasNormGelu(y1, 4 * p0, 4 * (p0 + n));
            // y2 [hw * 4, 4 c2] rows 4 p0.. = y1 [hw * 4, c1] rows 4 p0.. . W2
            RowParallelGemm.multiply(y1, 4 * p0, 4 * n, c1, w[1], false, 4 * c2, y2, 4 * p0, 0.0);
            maskPixels(y2, hyper, k, out, outOff, p0, p0 + n);
        });
    }

    /**
     * Pixel blocks per Java thread in {@link #masks(NativeFloats, float[], int, float[], int, DecoderBuffers)}: more
     * than one, so a thread that starts late (a woken worker) takes fewer.
     */
    static final int PIXEL_BLOCKS_PER_THREAD = 4;

    /**
     * The first stage's bias, LayerNorm2d and GELU in place on rows {@code [from, to)} of {@code y1 [hw * 4, c1]}, on
     * this thread (a block of {@link #masks(NativeFloats, float[], int, float[], int, DecoderBuffers)}'s tasks).
     */
    private void biasNormGelu(NativeFloats y1, int from, int to) {
        if (vectorRows) {
            float eps = (float) ModelConfig.LN2D_EPS;
            float[] row = new float[c1];
            for (int r = from; r < to; r++) {
                VectorDecoderRows.biasNormGelu(y1.bytes(), r, c1, b1, norm[0], norm[1], eps, row);
            }
            return;
        }
        float[] rows = new float[ROWS * c1];
        for (int r0 = from; r0 < to; r0 += ROWS) {
            int n = Math.min(ROWS, to - r0);
            y1.get(r0 * c1, rows, 0, n * c1);
            for (int r = 0; r < n; r++) {
                biasNorm(rows, r * c1, null, null, 0);
            }
            Gelu.apply(rows, 0, n * c1);
            y1.put(r0 * c1, rows, 0, n * c1);
        }
    }

    /** Rows of the first stage per bulk read in {@link #biasNormGelu} (16 KB for c1 = 64). */
    private static final int ROWS = 64;

    /** {@link #w1} and {@link #w2} off-heap, made on first use (racing threads make equal copies). */
    private volatile INDArray[] resident;

    private INDArray[] resident() {
        INDArray[] r = resident;
        if (r == null) {
            resident = r = new INDArray[]{Nd4j.create(w1, new long[]{dim, 4 * c1}, 'c'),
                    Nd4j.create(w2, new long[]{c1, 4 * c2}, 'c')};
        }
        return r;
    }

    /**
     * The same pass with a tape for {@link MaskUpscalerGradient}, in new arrays; the second stage's
     * bias is added (its GELU is the mask product's, {@link #masks}).
     *
     * @param keys transformer output image tokens {@code [g*g, E]} (kept by the tape: must not change)
     */
    MaskUpscaler.Tape forwardWithTape(float[] keys) {
        int hw = grid * grid;
        float[] xhat = new float[hw * 4 * c1];
        float[] inv = new float[hw * 4];
        float[] a1 = new float[hw * 4 * c1];
        float[] pre2 = features(keys, a1, new float[hw * 16 * c2], xhat, inv);
        ChunkedParallel.parallel(hw * 16, c2, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * c2;
                for (int i = 0; i < c2; i++) {
                    pre2[o + i] += b2[i];
                }
            }
        });
        return new MaskUpscaler.Tape(keys, xhat, inv, a1, pre2);
    }

    /**
     * First stage into {@code y1 [4HW, c1]} (transposed convolution, bias, LayerNorm2d, GELU), second
     * transposed convolution without bias into {@code y2}, returned; with the LayerNorm's tape when
     * {@code xhat} ({@code [4HW, c1]}) and {@code inv} ({@code [4HW]}) are not null.
     */
    private float[] features(float[] keys, float[] y1, float[] y2, float[] xhat, float[] inv) {
        int hw = grid * grid;
        firstConvolution(keys, y1);
        ChunkedParallel.parallel(hw * 4, c1 * 12, (from, to) -> {
            for (int r = from; r < to; r++) {
                biasNorm(y1, r * c1, xhat, inv, r);
            }
            Gelu.apply(y1, from * c1, (to - from) * c1);
        });
        return secondConvolution(y1, y2);
    }

    /**
     * The first stage's bias and LayerNorm2d on one pixel's {@code c1} channels at {@code y[o, o + c1)}, in
     * place; with the LayerNorm's tape (row {@code r} of {@code xhat}, {@code inv}) when {@code xhat} is not null.
     */
    private void biasNorm(float[] y, int o, float[] xhat, float[] inv, int r) {
        for (int i = 0; i < c1; i++) {
            y[o + i] += b1[i];
        }
        LayerNorm.row(y, o, y, o, c1, norm[0], norm[1], (float) ModelConfig.LN2D_EPS, xhat, inv, r);
    }

    /** First transposed convolution without bias: {@code y1 [HW, 4 c1] = keys [HW, E] . w1}; returns y1. */
    float[] firstConvolution(float[] keys, float[] y1) {
        int hw = grid * grid;
        Gemm.multiply(keys, 0, hw, dim, w1, 0, 4 * c1, false, y1, 0);
        return y1;
    }

    /** Second transposed convolution without bias: {@code y2 [4HW, 4 c2] = a1 [4HW, c1] . w2}; returns y2. */
    float[] secondConvolution(float[] a1, float[] y2) {
        int hw = grid * grid;
        Gemm.multiply(a1, 0, hw * 4, c1, w2, 0, 4 * c2, false, y2, 0);
        return y2;
    }

    /**
     * Offset in a {@code [4g, 4g]} mask of sub-pixel {@code s} of grid pixel {@code pix}:
     * {@code s = q1 * 4 + q2}, {@code q = dy * 2 + dx}, at {@code (4y + 2dy1 + dy2, 4x + 2dx1 + dx2)}.
     */
    int maskOffset(int pix, int s) {
        int y = pix / grid;
        int x = pix % grid;
        int oy = 4 * y + 2 * (s >> 3) + ((s >> 1) & 1);
        int ox = 4 * x + 2 * ((s >> 2) & 1) + (s & 1);
        return oy * 4 * grid + ox;
    }

    /**
     * {@code masks[k] = hyper[k] . GELU(features + b2)} for input pixels {@code [from, to)} on this thread, each
     * pixel's 16 output values scattered to their places in the {@code [K, 4g, 4g]} logits.
     *
     * @param features {@code [g*g*16, E/8]} in sub-pixel order, off-heap
     * @param hyper    {@code [K, E/8]}
     * @param out      receives {@code K * (4g)^2} values from {@code outOff}
     */
    private void maskPixels(NativeFloats features, float[] hyper, int k, float[] out, int outOff, int from, int to) {
        int side = 4 * grid;
        int plane = side * side;
        int block = 16 * c2;
        float[] z = new float[block];
        float[] d = new float[16 * k];
        for (int pix = from; pix < to; pix++) {
            if (vectorRows) {
                VectorDecoderRows.maskPixel(features.bytes(), pix, c2, b2, hyper, k, z, d);
            } else {
                features.get(pix * block, z, 0, block);
                for (int i = 0; i < block; i++) {
                    z[i] += b2Tiled[i];
                }
                Gelu.apply(z, 0, block);
                // the 16 sub-pixels' dot products side by side: 16 independent sums instead of one
                // latency-bound chain at a time, in locals (an array's sums went through memory at every
                // step); each still adds its channels in order (same bits)
                for (int kk = 0; kk < k; kk++) {
                    sums16(hyper, kk * c2, z, c2, d, kk * 16);
                }
            }
            for (int kk = 0; kk < k; kk++) {
                int mo = outOff + kk * plane;
                for (int s = 0; s < 16; s++) {
                    out[mo + maskOffset(pix, s)] = d[kk * 16 + s];
                }
            }
        }
    }

    /** {@code d[dOff + s] = sum_c h[ho + c] z[s * c2 + c]} for the 16 sub-pixels {@code s}, channels added in order. */
    private static void sums16(float[] h, int ho, float[] z, int c2, float[] d, int dOff) {
        float d0 = 0;
        float d1 = 0;
        float d2 = 0;
        float d3 = 0;
        float d4 = 0;
        float d5 = 0;
        float d6 = 0;
        float d7 = 0;
        float d8 = 0;
        float d9 = 0;
        float d10 = 0;
        float d11 = 0;
        float d12 = 0;
        float d13 = 0;
        float d14 = 0;
        float d15 = 0;
        for (int c = 0; c < c2; c++) {
            float w = h[ho + c];
            d0 += w * z[c];
            d1 += w * z[c2 + c];
            d2 += w * z[2 * c2 + c];
            d3 += w * z[3 * c2 + c];
            d4 += w * z[4 * c2 + c];
            d5 += w * z[5 * c2 + c];
            d6 += w * z[6 * c2 + c];
            d7 += w * z[7 * c2 + c];
            d8 += w * z[8 * c2 + c];
            d9 += w * z[9 * c2 + c];
            d10 += w * z[10 * c2 + c];
            d11 += w * z[11 * c2 + c];
            d12 += w * z[12 * c2 + c];
            d13 += w * z[13 * c2 + c];
            d14 += w * z[14 * c2 + c];
            d15 += w * z[15 * c2 + c];
        }
        d[dOff + 0] = d0;
        d[dOff + 1] = d1;
        d[dOff + 2] = d2;
        d[dOff + 3] = d3;
        d[dOff + 4] = d4;
        d[dOff + 5] = d5;
        d[dOff + 6] = d6;
        d[dOff + 7] = d7;
        d[dOff + 8] = d8;
        d[dOff + 9] = d9;
        d[dOff + 10] = d10;
        d[dOff + 11] = d11;
        d[dOff + 12] = d12;
        d[dOff + 13] = d13;
        d[dOff + 14] = d14;
        d[dOff + 15] = d15;
    }

    /**
     * Forward values kept for the backward: the input keys, the first stage's LayerNorm2d tape
     * ({@code xhat [4HW, c1]}, {@code inv [4HW]}), its GELU output {@code a1 [4HW, c1]} and the second stage
     * before GELU {@code pre2 [16HW, c2]} (bias included).
     */
    record Tape(float[] keys, float[] xhat, float[] inv, float[] a1, float[] pre2) {
    }
}

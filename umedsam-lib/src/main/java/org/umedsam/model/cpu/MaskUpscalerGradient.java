package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * Backward of {@link MaskUpscaler} and the single-mask product, from the tape of
 * {@link MaskUpscaler#forwardWithTape}. Same layout as the forward: the 2x2 stride-2 transposed
 * convolutions are GEMMs on pixel-major rows with columns (dy, dx, channel), so their weight gradients are {@code X^T dY} and their input gradients
 * {@code dY W'^T}; features stay in sub-pixel order {@code [g*g*16, E/8]} and the mask gradient is
 * gathered into that order.
 */
final class MaskUpscalerGradient {

    private static final String P = MaskUpscaler.P;

    private final MaskUpscaler up;
    private final int dim;
    private final int c1;
    private final int c2;
    private final int grid;
    private final float[] w1;
    private final float[][] norm;
    private final float[] w2;

    /** The backward of {@code forward} (the same weight arrays). */
    MaskUpscalerGradient(MaskUpscaler forward) {
        this.up = forward;
        this.dim = forward.dim;
        this.c1 = forward.c1;
        this.c2 = forward.c2;
        this.grid = forward.grid;
        this.w1 = forward.w1;
        this.norm = forward.norm;
        this.w2 = forward.w2;
    }

    /**
     * Gathers the mask gradient {@code [4g, 4g]} (from {@code off}) into sub-pixel order {@code [16 g*g]},
     * the inverse of {@link MaskUpscaler#masks}' scatter.
     */
    float[] gather(float[] gradMask, int off) {
        float[] g = new float[grid * grid * 16];
        for (int pix = 0; pix < grid * grid; pix++) {
            for (int s = 0; s < 16; s++) {
                g[pix * 16 + s] = gradMask[off + up.maskOffset(pix, s)];
            }
        }
        return g;
    }

    /**
     * Backward of {@code mask[row] = hyper . GELU(pre2[row])}.
     *
     * @param gMask dLoss/dmask in sub-pixel order {@code [16 HW]} ({@link #gather})
     * @param hyper the hypernetwork output {@code [c2]}
     * @param dHyper receives (adds) dLoss/dhyper {@code [c2]}
     * @return dLoss/dkeys {@code [HW, E]}
     */
    float[] backward(MaskUpscaler.Tape tp, float[] gMask, float[] hyper, float[] dHyper, GradientSums g) {
        int hw = grid * grid;
        int rows2 = hw * 16;
        float[] pre2 = tp.pre2();
        // dpre2 [16HW, c2] = g h GELU'(pre2); dHyper = sum_rows g GELU(pre2)
        float[] d2 = new float[rows2 * c2];
        ChunkedParallel.OrderedMerge lock = new ChunkedParallel.OrderedMerge();
        float[] db2 = g.of(P + "3.bias", c2);
        ChunkedParallel.parallel(rows2, c2 * 20, (from, to) -> {
            float[] lh = new float[c2];
            float[] lb = new float[c2];
            int n = (to - from) * c2;
            float[] z = new float[n];
            float[] dz = new float[n];
            Gelu.derivative(pre2, from * c2, n, z, dz);
            for (int r = from; r < to; r++) {
                float gr = gMask[r];
                int o = r * c2;
                int zo = (r - from) * c2;
                for (int i = 0; i < c2; i++) {
                    lh[i] += gr * z[zo + i];
                    float d = gr * hyper[i] * dz[zo + i];
                    d2[o + i] = d;
                    lb[i] += d;
                }
            }
            lock.add(from, () -> {
                for (int i = 0; i < c2; i++) {
                    dHyper[i] += lh[i];
                    db2[i] += lb[i];
                }
            });
        });
        lock.run();
        // second transposed conv: pre2 [4HW, 4c2] = a1 [4HW, c1] . w2 [c1, 4c2]
        float[] dw2 = new float[c1 * 4 * c2];
        Gemm.multiply(tp.a1(), 0, true, c1, hw * 4, d2, 0, false, 4 * c2, dw2, 0, false);
        addConvWeight(dw2, c1, c2, g.of(P + "3.weight", c1 * c2 * 4));
        float[] da1 = new float[hw * 4 * c1];
        Gemm.multiply(d2, 0, false, hw * 4, 4 * c2, w2, 0, true, c1, da1, 0, false);
        // GELU then LayerNorm2d backward (u1 = xhat w + b recomputed)
        float[] xhat = tp.xhat();
        float[] nw = norm[0];
        float[] nb = norm[1];
        ChunkedParallel.parallel(hw * 4, c1 * 20, (from, to) -> {
            int n = (to - from) * c1;
            float[] u = new float[n];
            for (int r = from; r < to; r++) {
                int o = r * c1;
                int uo = (r - from) * c1;
                for (int i = 0; i < c1; i++) {
                    u[uo + i] = xhat[o + i] * nw[i] + nb[i];
                }
            }
            Gelu.derivative(u, 0, n, null, u);
            int o = from * c1;
            for (int i = 0; i < n; i++) {
                da1[o + i] *= u[i];
            }
        });
        DecoderGradientKernels.layerNormBackward(da1, hw * 4, c1, nw, xhat, tp.inv(), P + "1", g);
        DecoderGradientKernels.columnSums(da1, hw * 4, c1, g.of(P + "0.bias", c1));
        // first transposed conv: y1 [HW, 4c1] = keys [HW, E] . w1 [E, 4c1]
        float[] dw1 = new float[dim * 4 * c1];
        Gemm.multiply(tp.keys(), 0, true, dim, hw, da1, 0, false, 4 * c1, dw1, 0, false);
        addConvWeight(dw1, dim, c1, g.of(P + "0.weight", dim * c1 * 4));
        float[] dKeys = new float[hw * dim];
        Gemm.multiply(da1, 0, false, hw, 4 * c1, w1, 0, true, dim, dKeys, 0, false);
        return dKeys;
    }

    /** Adds a {@code [in, 4 * out]} (dy, dx, out)-column gradient to a PyTorch {@code [in, out, 2, 2]} one. */
    private static void addConvWeight(float[] cols, int in, int out, float[] torch) {
        for (int ci = 0; ci < in; ci++) {
            for (int co = 0; co < out; co++) {
                for (int q = 0; q < 4; q++) {
                    torch[(ci * out + co) * 4 + q] += cols[ci * 4 * out + q * out + co];
                }
            }
        }
    }
}

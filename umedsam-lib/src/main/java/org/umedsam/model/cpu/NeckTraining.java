package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

import java.util.Arrays;

/**
 * The image encoder's neck for training, per image: 1x1 conv (no bias), LayerNorm2d, 3x3 conv (padding 1, no
 * bias), LayerNorm2d. Channel-last tokens {@code [side*side, in]} in, channel-first embedding
 * {@code [E, side*side]} out; as {@link Neck}, the 3x3 conv is im2col ({@code [pixels, 9*E]}, tap-major)
 * times the weight rearranged to {@code [E, ky, kx, E_in]}. No BatchNorm, so images are independent. The tape
 * keeps the first LayerNorm's output {@code [side*side, E]} and the backward rebuilds the im2col matrix from it
 * (nine times smaller than the matrix, and a copy to rebuild).
 */
final class NeckTraining {

    private static final float EPS = (float) ModelConfig.LN2D_EPS;

    private final String prefix;
    private final int in;
    private final int e;
    private final NeckWeights w;
    private final TapeArena arena;

    record Tape(int side, float[][] x, float[][] xhat1, float[][] inv1, float[][] norm1, float[][] xhat3,
                float[][] inv3) {
    }

    NeckTraining(StateDictWeights weights, String prefix, int in, int e, TapeArena arena) {
        this.arena = arena;
        this.prefix = prefix;
        this.in = in;
        this.e = e;
        this.w = NeckWeights.read(weights, prefix, in, e);
    }

    /** {@code x[b] [side*side, in]} (kept by the tape) -> {@code out[b] [E, side*side]}, arrays of the arena. */
    Tape forward(float[][] x, int side, float[][] out) {
        int b = x.length;
        int px = side * side;
        float[][] xhat1 = new float[b][];
        float[][] inv1 = new float[b][];
        float[][] norm1 = new float[b][];
        float[][] xhat3 = new float[b][];
        float[][] inv3 = new float[b][];
        float[] col = arena.take(px * 9 * e);
        float[] c = arena.take(px * e);
        for (int i = 0; i < b; i++) {
            float[] a = arena.take(px * e);
            Gemm.multiply(x[i], 0, px, in, w.conv0(), 0, e, true, a, 0);
            xhat1[i] = arena.take(px * e);
            inv1[i] = arena.take(px);
            DecoderGradientKernels.layerNorm(a, px, e, w.norm1W(), w.norm1B(), EPS, xhat1[i], inv1[i]);
            norm1[i] = a;
            Neck.im2col(a, side, e, col);
            Gemm.multiply(col, 0, px, 9 * e, w.conv2(), 0, e, true, c, 0);
            xhat3[i] = arena.take(px * e);
            inv3[i] = arena.take(px);
            DecoderGradientKernels.layerNorm(c, px, e, w.norm3W(), w.norm3B(), EPS, xhat3[i], inv3[i]);
            out[i] = arena.take(e * px);
            Transpose.apply(c, px, e, out[i]);
        }
        arena.give(col);
        arena.give(c);
        return new Tape(side, x, xhat1, inv1, norm1, xhat3, inv3);
    }

    /**
     * dLoss/dembedding {@code [E, side*side]} per image (still the caller's) -> dLoss/dx {@code [side*side, in]} per
     * image (arrays of the arena).
     *
     * @param release give the tape's maps (its input included) back to the arena once they are used
     */
    float[][] backward(Tape t, float[][] dOut, GradientSums g, boolean release) {
        int b = dOut.length;
        int side = t.side();
        int px = side * side;
        float[][] dx = new float[b][];
        float[] dConv2 = new float[w.conv2().length];
        float[] col = arena.take(px * 9 * e);
        float[] dcol = arena.take(px * 9 * e);
        float[] dc = arena.take(px * e);
        float[] da = arena.take(px * e);
        for (int i = 0; i < b; i++) {
            Transpose.apply(dOut[i], e, px, dc);
            DecoderGradientKernels.layerNormBackward(dc, px, e, w.norm3W(), t.xhat3()[i], t.inv3()[i], prefix + ".3", g);
            Neck.im2col(t.norm1()[i], side, e, col);
            Gemm.linearBackward(dc, px, e, col, 9 * e, w.conv2(), dConv2, dcol);
            Arrays.fill(da, 0f);
            col2im(dcol, side, da);
            DecoderGradientKernels.layerNormBackward(da, px, e, w.norm1W(), t.xhat1()[i], t.inv1()[i], prefix + ".1", g);
            dx[i] = arena.take(px * in);
            Gemm.linearBackward(da, px, e, t.x()[i], in, w.conv0(), g.of(prefix + ".0.weight", e * in), dx[i]);
        }
        arena.give(col);
        arena.give(dcol);
        arena.give(dc);
        arena.give(da);
        if (release) {
            arena.give(t.x());
            arena.give(t.xhat1());
            arena.give(t.inv1());
            arena.give(t.norm1());
            arena.give(t.xhat3());
            arena.give(t.inv3());
        }
        float[] dk = g.of(prefix + ".2.weight", w.conv2().length);
        for (int o = 0; o < e; o++) {
            for (int ci = 0; ci < e; ci++) {
                for (int tp = 0; tp < 9; tp++) {
                    dk[(o * e + ci) * 9 + tp] += dConv2[(o * 9 + tp) * e + ci];
                }
            }
        }
        return dx;
    }

    /**
     * The adjoint of {@link Neck#im2col}: {@code da[q, c] = sum over (p, tap) reading q of dcol[p, tap, c]}. Each
     * input row gathers its nine contributions in a fixed order, so the sum is deterministic.
     */
    private void col2im(float[] dcol, int side, float[] da) {
        ChunkedParallel.forEach(side, iy -> {
            for (int ix = 0; ix < side; ix++) {
                int dst = (iy * side + ix) * e;
                for (int ky = 0; ky < 3; ky++) {
                    int oy = iy - ky + 1;
                    if (oy < 0 || oy >= side) {
                        continue;
                    }
                    for (int kx = 0; kx < 3; kx++) {
                        int ox = ix - kx + 1;
                        if (ox < 0 || ox >= side) {
                            continue;
                        }
                        int src = (oy * side + ox) * 9 * e + (ky * 3 + kx) * e;
                        for (int c = 0; c < e; c++) {
                            da[dst + c] += dcol[src + c];
                        }
                    }
                }
            }
        });
    }
}

package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * The core of TinyViT's window attention for one image, after the qkv projection and before the output
 * projection: per window and head, {@code softmax(q k^T / sqrt(d) + bias) v}.
 *
 * <p>The {@code side x side} token map is zero-padded at bottom/right to a multiple of the window (upstream
 * pads before the attention's LayerNorm, so a padded token's normalised value is the LayerNorm bias and its
 * q, k, v are one constant row: the caller supplies it as row {@code L} of {@code qkv}). Padded tokens take
 * part as keys; their outputs are cropped, so padded queries are skipped. The bias of a pair of positions is
 * {@code attention_biases[h, |dy| * ws + |dx|]} (upstream's attention_bias_idxs).
 */
final class WindowAttentionKernel {

    private final int heads;
    private final int headDim;
    private final int ws;
    private final int tokens;
    private final float scale;
    /** {@code [heads, N, N]}: the learned bias of every pair in a window. */
    private final float[] pairBias;
    private final ThreadLocal<Scratch> scratch;

    /**
     * @param attentionBiases {@code [heads, ws*ws]}
     */
    WindowAttentionKernel(int heads, int headDim, int ws, float[] attentionBiases) {
        this.heads = heads;
        this.headDim = headDim;
        this.ws = ws;
        this.tokens = ws * ws;
        this.scale = (float) Math.pow(headDim, -0.5);
        int n = tokens;
        pairBias = new float[heads * n * n];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int off = Math.abs(i / ws - j / ws) * ws + Math.abs(i % ws - j % ws);
                    pairBias[(h * n + i) * n + j] = attentionBiases[h * n + off];
                }
            }
        }
        scratch = ThreadLocal.withInitial(() -> new Scratch(n, headDim));
    }

    /**
     * @param qkv {@code [side*side + 1, 3 * heads * headDim]}: per token and head q, k, v of {@code headDim}
     *            each (upstream's view {@code [N, heads, 3*headDim]}); the last row is the padded token
     * @param out {@code [side*side, heads * headDim]}, written for every real token
     */
    void apply(float[] qkv, int side, float[] out) {
        int nw = (side + ws - 1) / ws;
        int windows = nw * nw;
        IntStream.range(0, windows * heads).parallel().forEach(task -> {
            int win = task / heads;
            int h = task % heads;
            window(qkv, side, win / nw, win % nw, h, out, scratch.get());
        });
    }

    private void window(float[] qkv, int side, int wy, int wx, int h, float[] out, Scratch s) {
        int n = tokens;
        int d = headDim;
        int dim = heads * d;
        int row = 3 * dim;
        int padRow = side * side;
        int[] tok = s.token;
        int real = 0;
        // gather: q scaled [N, d], k transposed [d, N], v [N, d]; real queries first in qIdx
        for (int i = 0; i < n; i++) {
            int y = wy * ws + i / ws;
            int x = wx * ws + i % ws;
            boolean inside = y < side && x < side;
            int t = inside ? y * side + x : padRow;
            tok[i] = t;
            int src = t * row + h * 3 * d;
            for (int c = 0; c < d; c++) {
                s.kt[c * n + i] = qkv[src + d + c];
            }
            System.arraycopy(qkv, src + 2 * d, s.v, i * d, d);
            if (inside) {
                s.queryPos[real++] = i;
            }
        }
        float[] sc = s.scores;
        float[] kt = s.kt;
        float[] v = s.v;
        float[] o = s.o;
        for (int r = 0; r < real; r++) {
            int i = s.queryPos[r];
            int src = tok[i] * row + h * 3 * d;
            System.arraycopy(pairBias, (h * n + i) * n, sc, 0, n);
            for (int c = 0; c < d; c++) {
                float q = qkv[src + c] * scale;
                int ko = c * n;
                for (int j = 0; j < n; j++) {
                    sc[j] += q * kt[ko + j];
                }
            }
            Softmax.row(sc, 0, n);
            for (int c = 0; c < d; c++) {
                o[c] = 0f;
            }
            for (int j = 0; j < n; j++) {
                float p = sc[j];
                int vo = j * d;
                for (int c = 0; c < d; c++) {
                    o[c] += p * v[vo + c];
                }
            }
            System.arraycopy(o, 0, out, tok[i] * dim + h * d, d);
        }
    }

    private static final class Scratch {
        final int[] token;
        final int[] queryPos;
        final float[] kt;
        final float[] v;
        final float[] scores;
        final float[] o;

        Scratch(int n, int d) {
            token = new int[n];
            queryPos = new int[n];
            kt = new float[d * n];
            v = new float[n * d];
            scores = new float[n];
            o = new float[d];
        }
    }
}

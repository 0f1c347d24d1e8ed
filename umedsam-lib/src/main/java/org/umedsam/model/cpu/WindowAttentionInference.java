package org.umedsam.model.cpu;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The inference form of {@link WindowAttentionKernel}: the same result, per window and head
 * {@code softmax(q k^T / sqrt(d) + bias) v} on {@code qkv [side*side + 1, 3 * heads * headDim]} (last row the
 * padded token), computed for speed rather than for the backward pass. PyTorch:
 * {@code (q @ k.transpose(-2, -1) * scale + bias).softmax(-1) @ v} per window, as upstream's {@code Attention}.
 *
 * <p>Why a second kernel: training runs {@link WindowAttentionKernel#apply}, whose attention weights
 * {@link WindowAttentionGradient} recomputes bit for bit with the scalar {@link FastExp#expNonPositive}. Here the
 * softmax's {@code exp(s - max)} is {@link FastExp#expNonPositiveVector}, branch-free float arithmetic that C2
 * vectorises: the exp loop went from about 40% of the kernel's profile samples to about 15% (the kernel runs 10
 * to 35% faster on one thread, measured by {@code WindowAttentionInferenceBenchmark}); absolute error about
 * 1.5e-7 against weights summing to at least 1, so the two kernels agree up to rounding.
 * (Padding 7x7 windows' 49 queries to 64, so that more of each inner loop runs in C2's vector body, was tried and
 * measured 12% slower.)
 */
final class WindowAttentionInference {

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
    WindowAttentionInference(int heads, int headDim, int ws, float[] attentionBiases) {
        this.heads = heads;
        this.headDim = headDim;
        this.ws = ws;
        this.tokens = ws * ws;
        this.scale = (float) Math.pow(headDim, -0.5);
        int n = tokens;
        pairBias = WindowAttentionKernel.pairBiases(heads, ws, attentionBiases);
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

    /* Layout as WindowAttentionKernel: transposed, the real queries contiguous, one array per row. */
    private void window(float[] qkv, int side, int wy, int wx, int h, float[] out, Scratch s) {
        int n = tokens;
        int d = headDim;
        int[] tok = s.token;
        int[] qpos = s.queryPos;
        int[] dst = s.outRow;
        int nq = WindowAttentionKernel.gather(side, wy, wx, h, heads, d, ws, tok, qpos, dst);
        float[][] qT = s.qT;
        WindowAttentionKernel.scaledQueries(qkv, tok, qpos, nq, d, scale, qT);
        float[][] sT = s.sT;
        float[] max = s.max;
        int biasBase = h * n * n;
        for (int j = 0; j < n; j++) {
            float[] sc = sT[j];
            // bias[i][j] = bias[j][i] (it depends on |dy|, |dx| only)
            int bo = biasBase + j * n;
            if (nq == n) {
                System.arraycopy(pairBias, bo, sc, 0, n);
            } else {
                for (int r = 0; r < nq; r++) {
                    sc[r] = pairBias[bo + qpos[r]];
                }
            }
            WindowAttentionKernel.dotRows(qkv, tok[j] + d, qT, d, sc, nq);
            if (j == 0) {
                System.arraycopy(sc, 0, max, 0, nq);
            } else {
                for (int r = 0; r < nq; r++) {
                    max[r] = Math.max(max[r], sc[r]);
                }
            }
        }
        float[] sum = s.sum;
        Arrays.fill(sum, 0, nq, 0f);
        for (int j = 0; j < n; j++) {
            float[] sc = sT[j];
            FastExp.expNonPositiveVector(sc, max, nq);
            for (int r = 0; r < nq; r++) {
                sum[r] += sc[r];
            }
        }
        float[][] oT = s.oT;
        for (int c = 0; c < d; c++) {
            Arrays.fill(oT[c], 0, nq, 0f);
        }
        WindowAttentionKernel.mixRows(qkv, tok, 2 * d, sT, n, d, oT, nq);
        for (int r = 0; r < nq; r++) {
            float inv = 1f / sum[r];
            int o = dst[r];
            for (int c = 0; c < d; c++) {
                out[o + c] = oT[c][r] * inv;
            }
        }
    }

    private static final class Scratch {
        final int[] token;
        final int[] queryPos;
        final int[] outRow;
        final float[][] qT;
        final float[][] sT;
        final float[][] oT;
        final float[] max;
        final float[] sum;

        Scratch(int n, int d) {
            token = new int[n];
            queryPos = new int[n];
            outRow = new int[n];
            qT = new float[d][n];
            sT = new float[n][n];
            oT = new float[d][n];
            max = new float[n];
            sum = new float[n];
        }
    }
}

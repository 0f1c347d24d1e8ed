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

    /*
     * Layout: everything is kept transposed with the real queries as the contiguous axis (scores sT[key][query],
     * qT[channel][query], oT[channel][query]) and each row is its own array, so that every inner loop is
     * "row[r] += a * other[r]" over offset-0 arrays: the form C2 vectorises (accesses at different offsets
     * of possibly aliasing arrays stop it).
     */
    private void window(float[] qkv, int side, int wy, int wx, int h, float[] out, Scratch s) {
        int n = tokens;
        int d = headDim;
        int dim = heads * d;
        int row = 3 * dim;
        int padRow = side * side;
        int[] tok = s.token;
        int[] qpos = s.queryPos;
        int nq = 0;
        for (int i = 0; i < n; i++) {
            int y = wy * ws + i / ws;
            int x = wx * ws + i % ws;
            boolean inside = y < side && x < side;
            tok[i] = (inside ? y * side + x : padRow) * row + h * 3 * d;
            if (inside) {
                qpos[nq++] = i;
            }
        }
        float[][] qT = s.qT;
        for (int r = 0; r < nq; r++) {
            int src = tok[qpos[r]];
            for (int c = 0; c < d; c++) {
                qT[c][r] = qkv[src + c] * scale;
            }
        }
        float[][] sT = s.sT;
        float[] sum = s.sum;
        expScores(qkv, tok, qpos, nq, n, d, pairBias, h * n * n, qT, sT, s.max, sum);
        float[][] oT = s.oT;
        for (int c = 0; c < d; c++) {
            java.util.Arrays.fill(oT[c], 0, nq, 0f);
        }
        int j = 0;
        // four keys per pass, as above
        for (; j + 3 < n; j += 4) {
            float[] p0 = sT[j];
            float[] p1 = sT[j + 1];
            float[] p2 = sT[j + 2];
            float[] p3 = sT[j + 3];
            int v0 = tok[j] + 2 * d;
            int v1 = tok[j + 1] + 2 * d;
            int v2 = tok[j + 2] + 2 * d;
            int v3 = tok[j + 3] + 2 * d;
            for (int c = 0; c < d; c++) {
                float a0 = qkv[v0 + c];
                float a1 = qkv[v1 + c];
                float a2 = qkv[v2 + c];
                float a3 = qkv[v3 + c];
                float[] o = oT[c];
                for (int r = 0; r < nq; r++) {
                    o[r] += a0 * p0[r] + a1 * p1[r] + a2 * p2[r] + a3 * p3[r];
                }
            }
        }
        for (; j < n; j++) {
            float[] p = sT[j];
            int vsrc = tok[j] + 2 * d;
            for (int c = 0; c < d; c++) {
                float v = qkv[vsrc + c];
                float[] o = oT[c];
                for (int r = 0; r < nq; r++) {
                    o[r] += v * p[r];
                }
            }
        }
        for (int r = 0; r < nq; r++) {
            float inv = 1f / sum[r];
            int i = qpos[r];
            int dst = ((wy * ws + i / ws) * side + wx * ws + i % ws) * dim + h * d;
            for (int c = 0; c < d; c++) {
                out[dst + c] = oT[c][r] * inv;
            }
        }
    }

    /**
     * The unnormalised attention weights of one window and head, transposed: {@code sT[j][r] = exp(s - max_r)} for
     * real query {@code r} and key {@code j}, with {@code s = q_r . k_j + bias} ({@code qT[c][r]} holds the queries
     * already scaled), and their sums per query in {@code sum[r]}. Shared with {@link WindowAttentionGradient},
     * whose recomputed weights must equal these bit for bit.
     *
     * @param tok  per window position, the qkv offset of its token's head (q at +0, k at +d, v at +2d)
     * @param qpos the window positions of the {@code nq} real queries
     * @param m    scratch for the running row maxima, {@code >= nq}
     */
    static void expScores(float[] qkv, int[] tok, int[] qpos, int nq, int n, int d, float[] pairBias, int biasBase,
                          float[][] qT, float[][] sT, float[] m, float[] sum) {
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
            int ksrc = tok[j] + d;
            int c = 0;
            // four channels per pass: fewer loads and stores of the score row per multiply-add
            for (; c + 3 < d; c += 4) {
                float k0 = qkv[ksrc + c];
                float k1 = qkv[ksrc + c + 1];
                float k2 = qkv[ksrc + c + 2];
                float k3 = qkv[ksrc + c + 3];
                float[] q0 = qT[c];
                float[] q1 = qT[c + 1];
                float[] q2 = qT[c + 2];
                float[] q3 = qT[c + 3];
                for (int r = 0; r < nq; r++) {
                    sc[r] += k0 * q0[r] + k1 * q1[r] + k2 * q2[r] + k3 * q3[r];
                }
            }
            for (; c < d; c++) {
                float k = qkv[ksrc + c];
                float[] q = qT[c];
                for (int r = 0; r < nq; r++) {
                    sc[r] += k * q[r];
                }
            }
            // running column maximum while the row is hot
            if (j == 0) {
                System.arraycopy(sc, 0, m, 0, nq);
            } else {
                for (int r = 0; r < nq; r++) {
                    m[r] = Math.max(m[r], sc[r]);
                }
            }
        }
        java.util.Arrays.fill(sum, 0, nq, 0f);
        for (int j = 0; j < n; j++) {
            float[] sc = sT[j];
            for (int r = 0; r < nq; r++) {
                sc[r] = FastExp.expNonPositive(sc[r] - m[r]);
            }
            for (int r = 0; r < nq; r++) {
                sum[r] += sc[r];
            }
        }
    }

    private static final class Scratch {
        final int[] token;
        final int[] queryPos;
        final float[][] qT;
        final float[][] sT;
        final float[][] oT;
        final float[] max;
        final float[] sum;

        Scratch(int n, int d) {
            token = new int[n];
            queryPos = new int[n];
            qT = new float[d][n];
            sT = new float[n][n];
            oT = new float[d][n];
            max = new float[n];
            sum = new float[n];
        }
    }
}

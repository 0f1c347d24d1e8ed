package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

/**
 * The core of TinyViT's window attention for one image, after the qkv projection and before the output
 * projection: per window and head, {@code softmax(q k^T / sqrt(d) + bias) v}.
 *
 * <p>The {@code side x side} token map is zero-padded at bottom/right to a multiple of the window (upstream
 * pads before the attention's LayerNorm, so a padded token's normalised value is the LayerNorm bias and its
 * q, k, v are one constant row: the caller supplies it as row {@code L} of {@code qkv}). Padded tokens take
 * part as keys; their outputs are cropped, so padded queries are skipped. The bias of a pair of positions is
 * {@code attention_biases[h, |dy| * ws + |dx|]} (upstream's attention_bias_idxs).
 *
 * <p>The softmax's {@code exp(s - max)} is {@link FastExp#expNonPositiveVector}, branch-free float arithmetic
 * that C2 vectorises (absolute error about 1.5e-7 against weights summing to at least 1), for inference and
 * training alike: {@link WindowAttentionGradient} recomputes these weights with the same call, so bit for bit.
 * The scalar {@link FastExp#expNonPositive} (about 2 ulp relative) that training used until 2026-12 cost 6 to 10%
 * of a LiteMedSAM training step's CPU time (TrainStepBenchmark, interleaved JVMs); for inference the vector form
 * made this kernel 10 to 35% faster on one thread. PyTorch: {@code (q @ k.transpose(-2, -1) * scale +
 * bias).softmax(-1) @ v} per window, as upstream's {@code Attention}. (Padding 7x7 windows' 49 queries to 64, so
 * that more of each inner loop runs in C2's vector body, was tried and measured 12% slower.)
 *
 * <p>With the Vector API on ({@link #vectorRows()}), the two products ({@code q k^T} and {@code P v}) and the
 * softmax's passes run as {@link VectorWindowRows}: the same operations in the same order, so the same bits; training
 * (forward and backward) is then faster and unchanged. On a 2-core Zen 4 host they ran at 20 to 27 G multiply-adds
 * a second on one thread against 8 to 17 for these loops (2026-12-06).
 */
final class WindowAttentionKernel implements WindowAttentionForward {

    private final WindowGeometry geometry;
    private final ThreadLocal<WindowScratch> scratch;
    /** Whether the products and softmax run as {@link VectorWindowRows} (same bits); {@link #vectorRows()}. */
    private final boolean vectorRows;

    /**
     * @param attentionBiases {@code [heads, ws*ws]}
     */
    WindowAttentionKernel(int heads, int headDim, int ws, float[] attentionBiases) {
        geometry = new WindowGeometry(heads, headDim, ws, attentionBiases);
        scratch = WindowScratch.perThread(geometry);
        vectorRows = vectorRows();
    }

    /**
     * Whether kernels built now run their products as {@link VectorWindowRows}, register-blocked with the same
     * bits: {@link VectorSupport#enabled()} and whole vectors in {@link WindowScratch#padded} rows.
     */
    static boolean vectorRows() {
        return VectorSupport.enabled() && VectorWindowRows.supports();
    }

    /**
     * @param qkv {@code [side*side + 1, 3 * heads * headDim]}: per token and head q, k, v of {@code headDim}
     *            each (upstream's view {@code [N, heads, 3*headDim]}); the last row is the padded token
     * @param out {@code [side*side, heads * headDim]}, written for every real token
     */
    @Override
    public void apply(float[] qkv, int side, float[] out) {
        WindowGeometry g = geometry;
        boolean vector = vectorRows;
        g.forEachWindowHead(side, (task, wy, wx, h) -> window(g, qkv, side, wy, wx, h, out, scratch.get(), vector));
    }

    /*
     * Layout: everything is kept transposed with the real queries as the contiguous axis (scores sT[key][query],
     * qT[channel][query], oT[channel][query]) and each row is its own array, so that every inner loop is
     * "row[r] += a * other[r]" over offset-0 arrays: the form C2 vectorises (accesses at different offsets
     * of possibly aliasing arrays stop it).
     */
    private static void window(WindowGeometry g, float[] qkv, int side, int wy, int wx, int h, float[] out,
                               WindowScratch s, boolean vector) {
        int n = g.tokens;
        int d = g.headDim;
        int[] tok = s.token;
        int nq = s.gatherQueries(g, qkv, side, wy, wx, h);
        float[][] sT = s.sT;
        float[] sum = s.sum;
        expScores(qkv, tok, s.queryPos, nq, n, d, g.pairBias, h * n * n, s.qT, sT, s.max, sum, vector);
        float[][] oT = s.oT;
        for (int c = 0; c < d; c++) {
            java.util.Arrays.fill(oT[c], 0, nq, 0f);
        }
        mix(qkv, tok, 2 * d, sT, n, d, oT, nq, vector);
        for (int r = 0; r < nq; r++) {
            sum[r] = 1f / sum[r]; // each query's sum becomes its output's factor
        }
        scatterRows(oT, sum, s.outRow, nq, d, out);
    }

    /**
     * The tokens of window {@code (wy, wx)} for head {@code h}: {@code tok[i]} is the qkv offset of window position
     * {@code i}'s head slice (the pad row {@code side*side} for a position outside the map), {@code qpos} the
     * positions of the real tokens, and {@code outRow[r]} the output offset of real token {@code r}. Returns the
     * number of real tokens.
     */
    static int gather(int side, int wy, int wx, int h, int heads, int d, int ws, int[] tok, int[] qpos, int[] outRow) {
        int dim = heads * d;
        int row = 3 * dim;
        int padRow = side * side;
        int nq = 0;
        for (int i = 0; i < ws * ws; i++) {
            int y = wy * ws + i / ws;
            int x = wx * ws + i % ws;
            boolean inside = y < side && x < side;
            tok[i] = (inside ? y * side + x : padRow) * row + h * 3 * d;
            if (inside) {
                outRow[nq] = (y * side + x) * dim + h * d;
                qpos[nq++] = i;
            }
        }
        return nq;
    }

    /**
     * {@code colT[c][r] = x[src[r] + c] * scale} for {@code r < nq, c < d}: token rows into a transposed block (the
     * scaled queries into {@code qT}, dLoss/dout into {@code dOT}), four tokens per pass over the channels, so that
     * each pass reads four runs of {@code x} and writes one stretch of every row of {@code colT}. Token by token,
     * each token's writes crossed all {@code d} rows: 2 to 6 times slower at LiteMedSAM's windows (probe, 2-core Zen
     * 4, 2026-12-07). A scale of 1 gives the values themselves.
     */
    static void gatherColumns(float[] x, int[] src, int nq, int d, float scale, float[][] colT) {
        int r = 0;
        for (; r + 3 < nq; r += 4) {
            int s0 = src[r];
            int s1 = src[r + 1];
            int s2 = src[r + 2];
            int s3 = src[r + 3];
            for (int c = 0; c < d; c++) {
                float[] col = colT[c];
                col[r] = x[s0 + c] * scale;
                col[r + 1] = x[s1 + c] * scale;
                col[r + 2] = x[s2 + c] * scale;
                col[r + 3] = x[s3 + c] * scale;
            }
        }
        for (; r < nq; r++) {
            int s0 = src[r];
            for (int c = 0; c < d; c++) {
                colT[c][r] = x[s0 + c] * scale;
            }
        }
    }

    /**
     * {@code out[dst[r] + c] = colT[c][r] * factor[r]} for {@code r < nq, c < d}: a transposed block back to token
     * rows ({@link #gatherColumns}' inverse), four tokens per pass over the channels for the same reason.
     */
    static void scatterRows(float[][] colT, float[] factor, int[] dst, int nq, int d, float[] out) {
        int r = 0;
        for (; r + 3 < nq; r += 4) {
            int o0 = dst[r];
            int o1 = dst[r + 1];
            int o2 = dst[r + 2];
            int o3 = dst[r + 3];
            float f0 = factor[r];
            float f1 = factor[r + 1];
            float f2 = factor[r + 2];
            float f3 = factor[r + 3];
            for (int c = 0; c < d; c++) {
                float[] col = colT[c];
                out[o0 + c] = col[r] * f0;
                out[o1 + c] = col[r + 1] * f1;
                out[o2 + c] = col[r + 2] * f2;
                out[o3 + c] = col[r + 3] * f3;
            }
        }
        for (; r < nq; r++) {
            int o = dst[r];
            float f = factor[r];
            for (int c = 0; c < d; c++) {
                out[o + c] = colT[c][r] * f;
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
                          float[][] qT, float[][] sT, float[] m, float[] sum, boolean vector) {
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
        }
        keyRows(qkv, tok, d, qT, d, sT, n, nq, vector);
        if (vector) {
            VectorWindowRows.softmaxColumns(sT, n, nq, m, sum);
            return;
        }
        // the column maxima (max is exact, so the order of the keys does not matter)
        System.arraycopy(sT[0], 0, m, 0, nq);
        for (int j = 1; j < n; j++) {
            float[] sc = sT[j];
            for (int r = 0; r < nq; r++) {
                m[r] = Math.max(m[r], sc[r]);
            }
        }
        java.util.Arrays.fill(sum, 0, nq, 0f);
        for (int j = 0; j < n; j++) {
            float[] sc = sT[j];
            FastExp.expNonPositiveVector(sc, m, nq);
            for (int r = 0; r < nq; r++) {
                sum[r] += sc[r];
            }
        }
    }

    /**
     * {@link #dotRows}{@code (x, tok[j] + off, mT, d, rows[j], nq)} for every key {@code j < n}, by
     * {@link VectorWindowRows} when {@code vector} (the same bits; rows {@link WindowScratch#padded} long).
     */
    static void keyRows(float[] x, int[] tok, int off, float[][] mT, int d, float[][] rows, int n, int nq,
                        boolean vector) {
        if (vector) {
            VectorWindowRows.keyRows(x, tok, off, mT, d, rows, n, nq);
            return;
        }
        for (int j = 0; j < n; j++) {
            dotRows(x, tok[j] + off, mT, d, rows[j], nq);
        }
    }

    /** {@link #mixRows}, by {@link VectorWindowRows} when {@code vector} (the same bits; rows padded). */
    static void mix(float[] x, int[] tok, int off, float[][] wT, int n, int d, float[][] outT, int nq,
                    boolean vector) {
        if (vector) {
            VectorWindowRows.mixRows(x, tok, off, wT, n, d, outT, nq);
        } else {
            mixRows(x, tok, off, wT, n, d, outT, nq);
        }
    }

    /**
     * {@code out[r] += sum_c x[src + c] * mT[c][r]} for {@code r < nq}: one token's {@code d} values (a key, or a
     * value) against a transposed block {@code mT [d][nq]} (the queries, or dLoss/dout), four channels per pass
     * (fewer loads and stores of {@code out} per multiply-add).
     */
    static void dotRows(float[] x, int src, float[][] mT, int d, float[] out, int nq) {
        int c = 0;
        for (; c + 3 < d; c += 4) {
            float x0 = x[src + c];
            float x1 = x[src + c + 1];
            float x2 = x[src + c + 2];
            float x3 = x[src + c + 3];
            float[] m0 = mT[c];
            float[] m1 = mT[c + 1];
            float[] m2 = mT[c + 2];
            float[] m3 = mT[c + 3];
            for (int r = 0; r < nq; r++) {
                out[r] += x0 * m0[r] + x1 * m1[r] + x2 * m2[r] + x3 * m3[r];
            }
        }
        for (; c < d; c++) {
            float xc = x[src + c];
            float[] m = mT[c];
            for (int r = 0; r < nq; r++) {
                out[r] += xc * m[r];
            }
        }
    }

    /**
     * {@code outT[c][r] += sum_j x[tok[j] + off + c] * wT[j][r]} for {@code c < d, r < nq}: the {@code n} keys'
     * or values' rows ({@code off} d or 2d past each token's q) mixed by transposed weights {@code wT [n][nq]}
     * (P, or dS), four keys per pass.
     */
    static void mixRows(float[] x, int[] tok, int off, float[][] wT, int n, int d, float[][] outT, int nq) {
        int j = 0;
        for (; j + 3 < n; j += 4) {
            float[] w0 = wT[j];
            float[] w1 = wT[j + 1];
            float[] w2 = wT[j + 2];
            float[] w3 = wT[j + 3];
            int s0 = tok[j] + off;
            int s1 = tok[j + 1] + off;
            int s2 = tok[j + 2] + off;
            int s3 = tok[j + 3] + off;
            for (int c = 0; c < d; c++) {
                float a0 = x[s0 + c];
                float a1 = x[s1 + c];
                float a2 = x[s2 + c];
                float a3 = x[s3 + c];
                float[] o = outT[c];
                for (int r = 0; r < nq; r++) {
                    o[r] += a0 * w0[r] + a1 * w1[r] + a2 * w2[r] + a3 * w3[r];
                }
            }
        }
        for (; j < n; j++) {
            float[] w = wT[j];
            int src = tok[j] + off;
            for (int c = 0; c < d; c++) {
                float a = x[src + c];
                float[] o = outT[c];
                for (int r = 0; r < nq; r++) {
                    o[r] += a * w[r];
                }
            }
        }
    }
}

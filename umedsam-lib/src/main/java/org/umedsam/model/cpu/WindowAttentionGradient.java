package org.umedsam.model.cpu;

import java.util.Arrays;

/**
 * Backward of {@link WindowAttentionKernel} for one image: per window and head, with {@code n = ws*ws} keys
 * (padded ones included) and the real queries only,
 * {@code s = scale q k^T + bias}, {@code P = softmax_rows(s)}, {@code o = P v}, and
 * <pre>
 *   dV = P^T dO,  dP = dO V^T,  dS = P * (dP - rowsum(P * dP)),
 *   dQ = scale dS K,  dK = scale dS^T Q,  dBias[h, |dy|*ws + |dx|] += dS[i, j].
 * </pre>
 * P is recomputed exactly as the forward computes it (same summation order, same {@link FastExp}), not stored.
 *
 * <p>Every real token is the query and the key of exactly one window, so each (window, head) task writes its
 * own rows of dqkv. The padded token's row and the bias gradient are shared: each task fills its own partial
 * and the partials are added in task order afterwards, so the result does not depend on thread timing (a
 * resumed training run must be bit-identical to an uninterrupted one).
 */
final class WindowAttentionGradient {

    private final WindowGeometry geometry;
    /** {@code [N, N]}: the attention_biases column {@code |dy| * ws + |dx|} of every pair (symmetric). */
    private final int[] pairIndex;
    private final ThreadLocal<Scratch> scratch;
    /** Whether the products and softmax passes run as {@link VectorWindowRows} (same bits). */
    private final boolean vectorRows;

    /**
     * @param attentionBiases {@code [heads, ws*ws]} (state-dict layout)
     */
    WindowAttentionGradient(int heads, int headDim, int ws, float[] attentionBiases) {
        geometry = new WindowGeometry(heads, headDim, ws, attentionBiases);
        pairIndex = WindowGeometry.pairIndex(ws);
        int n = geometry.tokens;
        float scale = geometry.scale;
        scratch = ThreadLocal.withInitial(() -> new Scratch(n, headDim, scale));
        vectorRows = WindowAttentionKernel.vectorRows();
    }

    /**
     * Backward of {@code WindowAttentionKernel.apply(qkv, side, out)} for one image.
     *
     * @param qkv     {@code [side*side + 1, 3*heads*headDim]} exactly as given to apply (last row = the padded
     *                token's q, k, v)
     * @param dOut    {@code [side*side, heads*headDim]} dLoss/dout
     * @param dQkv    {@code [side*side + 1, 3*heads*headDim]}, OVERWRITTEN: dLoss/dqkv; the last row gets the
     *                sum over every padded key position of every window (0 when {@code side % ws == 0}); must
     *                not alias {@code qkv} or {@code dOut}
     * @param dBiases {@code [heads, ws*ws]}, ACCUMULATED (+=): dLoss/dattention_biases
     */
    void backward(float[] qkv, int side, float[] dOut, float[] dQkv, float[] dBiases) {
        WindowGeometry g = geometry;
        int heads = g.heads;
        int d = g.headDim;
        int dim = heads * d;
        int n = g.tokens;
        if (side < 1) {
            throw new IllegalArgumentException("side must be >= 1, got " + side);
        }
        long rows = (long) side * side + 1;
        check("qkv", qkv, rows * 3 * dim);
        check("dOut", dOut, (rows - 1) * dim);
        check("dQkv", dQkv, rows * 3 * dim);
        check("dBiases", dBiases, (long) heads * n);
        int nw = g.windowsPerSide(side);
        int tasks = nw * nw * heads;
        boolean padded = side % g.ws != 0;
        // per task: its bias gradient [n], then (when the map is padded) its pad-row dk, dv [2d]
        int stride = n + (padded ? 2 * d : 0);
        float[] partial = new float[tasks * stride];
        g.forEachWindowHead(side, (task, wy, wx, h) ->
                window(qkv, side, wy, wx, h, dOut, dQkv, partial, task * stride, scratch.get()));
        int padRow = side * side * 3 * dim;
        Arrays.fill(dQkv, padRow, padRow + 3 * dim, 0f);
        for (int task = 0; task < tasks; task++) {
            int h = task % heads;
            int po = task * stride;
            int bo = h * n;
            for (int k = 0; k < n; k++) {
                dBiases[bo + k] += partial[po + k];
            }
            if (padded) {
                int dst = padRow + h * 3 * d + d;
                for (int c = 0; c < 2 * d; c++) {
                    dQkv[dst + c] += partial[po + n + c];
                }
            }
        }
    }

    private static void check(String name, float[] a, long need) {
        if (a.length < need) {
            throw new IllegalArgumentException(name + " needs at least " + need + " values, got " + a.length);
        }
    }

    /*
     * Layout as in the forward: the real queries are the contiguous axis of everything indexed by query
     * (qT[c][r], sT[key][r], dOT[c][r], dsT[key][r], dqT[c][r]) and the keys that of everything indexed by key
     * (pR[r][key], dsR[r][key], dvT[c][key], dkT[c][key]); each row is its own array so every inner loop is
     * "row[x] += a * other[x]" over offset-0 arrays, which C2 vectorises.
     */
    private void window(float[] qkv, int side, int wy, int wx, int h, float[] dOut, float[] dQkv,
                        float[] partial, int po, Scratch s) {
        WindowGeometry g = geometry;
        int n = g.tokens;
        int d = g.headDim;
        int padBase = side * side * 3 * g.heads * d + h * 3 * d;
        WindowScratch f = s.forward;
        int nq = f.gatherQueries(g, qkv, side, wy, wx, h);
        int[] tok = f.token;
        int[] qpos = f.queryPos;
        int[] dst = f.outRow;
        float[][] qT = f.qT;
        float[][] dOT = s.dOT;
        WindowAttentionKernel.gatherColumns(dOut, dst, nq, d, 1f, dOT);

        // P, recomputed exactly as the forward computes it
        float[][] sT = f.sT;
        float[] inv = f.sum;
        WindowAttentionKernel.expScores(qkv, tok, qpos, nq, n, d, g.pairBias, h * n * n, qT, sT, f.max, inv,
                vectorRows);
        for (int r = 0; r < nq; r++) {
            inv[r] = 1f / inv[r];
        }

        // dP = dO V^T (transposed: dsT[j][r] = v_j . dO_r), then P normalised and dS = P (dP - rowsum(P dP)) in
        // place (the normalisation does not feed dP, so it may come after it)
        float[][] dsT = s.dsT;
        for (int j = 0; j < n; j++) {
            Arrays.fill(dsT[j], 0, nq, 0f);
        }
        WindowAttentionKernel.keyRows(qkv, tok, 2 * d, dOT, d, dsT, n, nq, vectorRows);
        if (vectorRows) {
            VectorWindowRows.softmaxGradient(sT, dsT, inv, n, nq);
        } else {
            softmaxGradient(sT, dsT, inv, n, nq, s.dot);
        }

        // dQ = scale dS K, four keys per pass (as the forward's P V)
        float[][] dqT = f.oT;
        for (int c = 0; c < d; c++) {
            Arrays.fill(dqT[c], 0, nq, 0f);
        }
        WindowAttentionKernel.mix(qkv, tok, d, dsT, n, d, dqT, nq, vectorRows);
        WindowAttentionKernel.scatterRows(dqT, s.scaleRow, f.querySource, nq, d, dQkv);

        if (vectorRows) {
            keyGradientsByChannel(qkv, dOut, dQkv, partial, po, padBase, nq, f, s);
            return;
        }
        biasGradient(dsT, qpos, nq, partial, po, s.dBias);
        // key-major copies of P and dS for dV and dK
        float[][] pR = s.pR;
        float[][] dsR = s.dsR;
        for (int jj = 0; jj < n; jj++) {
            float[] p = sT[jj];
            float[] ds = dsT[jj];
            for (int r = 0; r < nq; r++) {
                pR[r][jj] = p[r];
                dsR[r][jj] = ds[r];
            }
        }

        // dV = P^T dO, dK = scale dS^T Q = dS^T qT (qT holds scale q): four queries per pass
        float[][] dvT = s.dvT;
        float[][] dkT = s.dkT;
        for (int c = 0; c < d; c++) {
            Arrays.fill(dvT[c], 0, n, 0f);
            Arrays.fill(dkT[c], 0, n, 0f);
        }
        mixColumns(dOT, pR, nq, d, n, dvT);
        mixColumns(qT, dsR, nq, d, n, dkT);
        for (int k = 0; k < n; k++) {
            int o = tok[k];
            if (o == padBase) {
                // every padded key is the one pad row: its share goes to this task's partial
                int pp = po + n;
                for (int c = 0; c < d; c++) {
                    partial[pp + c] += dkT[c][k];
                    partial[pp + d + c] += dvT[c][k];
                }
            } else {
                for (int c = 0; c < d; c++) {
                    dQkv[o + d + c] = dkT[c][k];
                    dQkv[o + 2 * d + c] = dvT[c][k];
                }
            }
        }
    }

    /**
     * This task's bias gradient into {@code partial[po, po + n)}: {@code dBias[pairIndex[j, q_r]] += dS[r, j]}, keys
     * in order, then queries ({@code pairIndex} is symmetric), the one order both paths use.
     *
     * @param dBias scratch of {@code n} values
     */
    private void biasGradient(float[][] dsT, int[] qpos, int nq, float[] partial, int po, float[] dBias) {
        int n = geometry.tokens;
        Arrays.fill(dBias, 0f);
        for (int jj = 0; jj < n; jj++) {
            float[] ds = dsT[jj];
            int io = jj * n;
            for (int r = 0; r < nq; r++) {
                dBias[pairIndex[io + qpos[r]]] += ds[r];
            }
        }
        System.arraycopy(dBias, 0, partial, po, n);
    }

    /**
     * The end of {@link #window} with {@link VectorWindowRows}: the bias gradient, then dV and dK with lanes along
     * the channels, {@code dV[k] = sum_r P[r, k] dO_r}, {@code dK[k] = sum_r dS[r, k] (scale q_r)}, from the rows of
     * dO and of the scaled queries as they lie in memory ({@link VectorWindowRows#keyColumns}), each key's row then
     * copied whole into dqkv. The same products summed in the same order as the plain path's key-major copies of P
     * and dS and {@link #mixColumns}, so the same bits. Why: those copies, the transposed results and their
     * scattered write-back were the backward's largest plain-Java part (4 % of a LiteMedSAM training step's CPU
     * samples, 2-core Zen 4, 2026-12-06).
     */
    private void keyGradientsByChannel(float[] qkv, float[] dOut, float[] dQkv, float[] partial, int po,
                                       int padBase, int nq, WindowScratch f, Scratch s) {
        WindowGeometry g = geometry;
        int n = g.tokens;
        int d = g.headDim;
        int[] tok = f.token;
        int[] qpos = f.queryPos;
        int[] dst = f.outRow;
        float[][] sT = f.sT;
        float[][] dsT = s.dsT;
        biasGradient(dsT, qpos, nq, partial, po, s.dBias);

        float[][] dOR = s.dOR;
        float[][] qR = s.qR;
        float scale = g.scale;
        for (int r = 0; r < nq; r++) {
            System.arraycopy(dOut, dst[r], dOR[r], 0, d);
            float[] q = qR[r];
            int src = f.querySource[r];
            for (int c = 0; c < d; c++) {
                q[c] = qkv[src + c] * scale; // as the forward's scaled queries
            }
        }
        float[][] dvR = s.dvR;
        float[][] dkR = s.dkR;
        for (int k = 0; k < n; k++) {
            Arrays.fill(dvR[k], 0f);
            Arrays.fill(dkR[k], 0f);
        }
        VectorWindowRows.keyColumns(sT, dOR, nq, n, d, dvR);
        VectorWindowRows.keyColumns(dsT, qR, nq, n, d, dkR);
        for (int k = 0; k < n; k++) {
            int o = tok[k];
            if (o == padBase) {
                // every padded key is the one pad row: its share goes to this task's partial
                int pp = po + n;
                float[] dk = dkR[k];
                float[] dv = dvR[k];
                for (int c = 0; c < d; c++) {
                    partial[pp + c] += dk[c];
                    partial[pp + d + c] += dv[c];
                }
            } else {
                System.arraycopy(dkR[k], 0, dQkv, o + d, d);
                System.arraycopy(dvR[k], 0, dQkv, o + 2 * d, d);
            }
        }
    }

    /**
     * {@code p[j][r] *= inv[r]}, {@code dot[r] = sum_j p[j][r] dp[j][r]} (keys in order), then
     * {@code dp[j][r] = p[j][r] (dp[j][r] - dot[r])}: the weights normalised and dP turned into dS, in place.
     */
    private static void softmaxGradient(float[][] sT, float[][] dsT, float[] inv, int n, int nq, float[] dot) {
        for (int j = 0; j < n; j++) {
            float[] p = sT[j];
            for (int r = 0; r < nq; r++) {
                p[r] *= inv[r];
            }
        }
        Arrays.fill(dot, 0, nq, 0f);
        for (int j = 0; j < n; j++) {
            float[] dp = dsT[j];
            float[] p = sT[j];
            for (int r = 0; r < nq; r++) {
                dot[r] += p[r] * dp[r];
            }
        }
        for (int j = 0; j < n; j++) {
            float[] p = sT[j];
            float[] ds = dsT[j];
            for (int r = 0; r < nq; r++) {
                ds[r] = p[r] * (ds[r] - dot[r]);
            }
        }
    }

    /**
     * {@code outT[c][k] += sum_r aT[c][r] * wR[r][k]} for {@code c < d, k < n}, over the {@code nq} real queries
     * four per pass: dV from dO and P, dK from the scaled queries and dS (both key-major).
     */
    static void mixColumns(float[][] aT, float[][] wR, int nq, int d, int n, float[][] outT) {
        int r = 0;
        for (; r + 3 < nq; r += 4) {
            float[] w0 = wR[r];
            float[] w1 = wR[r + 1];
            float[] w2 = wR[r + 2];
            float[] w3 = wR[r + 3];
            for (int c = 0; c < d; c++) {
                float[] a = aT[c];
                float a0 = a[r];
                float a1 = a[r + 1];
                float a2 = a[r + 2];
                float a3 = a[r + 3];
                float[] o = outT[c];
                for (int k = 0; k < n; k++) {
                    o[k] += a0 * w0[k] + a1 * w1[k] + a2 * w2[k] + a3 * w3[k];
                }
            }
        }
        for (; r < nq; r++) {
            float[] w = wR[r];
            for (int c = 0; c < d; c++) {
                float a = aT[c][r];
                float[] o = outT[c];
                for (int k = 0; k < n; k++) {
                    o[k] += a * w[k];
                }
            }
        }
    }

    /** The forward's buffers ({@link WindowScratch}: its {@code oT} holds dQ, its {@code sum} the inverse sums) and the backward's own. */
    private static final class Scratch {
        final WindowScratch forward;
        final float[][] dOT;
        final float[][] dsT;
        final float[][] pR;
        final float[][] dsR;
        final float[][] dvT;
        final float[][] dkT;
        final float[] dot;
        final float[] dBias;
        /** Rows of dO and of the scaled queries, {@code [n][padded(d)]}, for the vector path's dV and dK. */
        final float[][] dOR;
        final float[][] qR;
        /** dV and dK by key, {@code [n][padded(d)]}. */
        final float[][] dvR;
        final float[][] dkR;
        /** The attention's scale in every query's place: dQ's factor per row ({@link WindowAttentionKernel#scatterRows}). */
        final float[] scaleRow;

        Scratch(int n, int d, float scale) {
            int np = WindowScratch.padded(n);
            int dp = WindowScratch.padded(d);
            dOR = new float[n][dp];
            qR = new float[n][dp];
            dvR = new float[n][dp];
            dkR = new float[n][dp];
            forward = new WindowScratch(n, d);
            dOT = new float[d][np];
            dsT = new float[n][np];
            pR = new float[n][np];
            dsR = new float[n][np];
            dvT = new float[d][np];
            dkT = new float[d][np];
            dot = new float[np];
            dBias = new float[n];
            scaleRow = new float[n];
            Arrays.fill(scaleRow, scale);
        }
    }
}

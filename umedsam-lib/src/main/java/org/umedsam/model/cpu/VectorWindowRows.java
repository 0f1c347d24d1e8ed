package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three products of the plain window attention ({@link WindowAttentionKernel#dotRows} for every key,
 * {@link WindowAttentionKernel#mixRows}, {@link WindowAttentionGradient}'s {@code mixColumns}) with the Vector API,
 * register-blocked: <b>the same float operations in the same order for every output value</b> (multiplies and adds,
 * no fused multiply-adds; the groups of four products summed left to right, then added to the output), so the same
 * bits as the plain loops, lane by lane. That is what lets training use them: its backward recomputes the forward's
 * attention weights, and a run resumed in a JVM without the Vector API continues bit for bit.
 *
 * <p>Lanes run along the contiguous axis of the plain loops (queries, or keys for {@code mixColumns}); each kernel
 * keeps four output rows in registers over the whole reduction, where C2's vectorisation of the plain innermost
 * loop loads and stores its output row once per group of four products. The rows must hold whole vectors past
 * {@code nq} (resp. {@code n}): {@link WindowScratch#padded} lengths; lanes past the real ones compute values nobody
 * reads.
 *
 * <p>Why: the plain kernels took 16 % of a LiteMedSAM training step's CPU samples on a 2-core Zen 4 host
 * (2026-12-06). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}; methods stay small, as a Vector
 * API call C2 does not inline boxes its vectors.
 */
final class VectorWindowRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorWindowRows() {
    }

    /** Whether rows padded by {@link WindowScratch#padded} hold whole vectors of this JVM's species. */
    static boolean supports() {
        return WindowScratch.PAD % L == 0;
    }

    /**
     * {@code rows[j][r] += sum_c x[tok[j] + off + c] * mT[c][r]} for {@code j < n, r < nq}: exactly
     * {@code WindowAttentionKernel.dotRows(x, tok[j] + off, mT, d, rows[j], nq)} for every key {@code j}.
     */
    static void keyRows(float[] x, int[] tok, int off, float[][] mT, int d, float[][] rows, int n, int nq) {
        int j = 0;
        for (; j + 3 < n; j += 4) {
            int s0 = tok[j] + off;
            int s1 = tok[j + 1] + off;
            int s2 = tok[j + 2] + off;
            int s3 = tok[j + 3] + off;
            for (int r = 0; r < nq; r += L) {
                fourKeys(x, s0, s1, s2, s3, mT, d, rows[j], rows[j + 1], rows[j + 2], rows[j + 3], r);
            }
        }
        for (; j < n; j++) {
            int s = tok[j] + off;
            for (int r = 0; r < nq; r += L) {
                oneKey(x, s, mT, d, rows[j], r);
            }
        }
    }

    private static void fourKeys(float[] x, int s0, int s1, int s2, int s3, float[][] mT, int d,
                                 float[] o0, float[] o1, float[] o2, float[] o3, int r) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, o0, r);
        FloatVector a1 = FloatVector.fromArray(SPECIES, o1, r);
        FloatVector a2 = FloatVector.fromArray(SPECIES, o2, r);
        FloatVector a3 = FloatVector.fromArray(SPECIES, o3, r);
        int c = 0;
        for (; c + 3 < d; c += 4) {
            FloatVector m0 = FloatVector.fromArray(SPECIES, mT[c], r);
            FloatVector m1 = FloatVector.fromArray(SPECIES, mT[c + 1], r);
            FloatVector m2 = FloatVector.fromArray(SPECIES, mT[c + 2], r);
            FloatVector m3 = FloatVector.fromArray(SPECIES, mT[c + 3], r);
            a0 = a0.add(m0.mul(x[s0 + c]).add(m1.mul(x[s0 + c + 1])).add(m2.mul(x[s0 + c + 2]))
                    .add(m3.mul(x[s0 + c + 3])));
            a1 = a1.add(m0.mul(x[s1 + c]).add(m1.mul(x[s1 + c + 1])).add(m2.mul(x[s1 + c + 2]))
                    .add(m3.mul(x[s1 + c + 3])));
            a2 = a2.add(m0.mul(x[s2 + c]).add(m1.mul(x[s2 + c + 1])).add(m2.mul(x[s2 + c + 2]))
                    .add(m3.mul(x[s2 + c + 3])));
            a3 = a3.add(m0.mul(x[s3 + c]).add(m1.mul(x[s3 + c + 1])).add(m2.mul(x[s3 + c + 2]))
                    .add(m3.mul(x[s3 + c + 3])));
        }
        for (; c < d; c++) {
            FloatVector m = FloatVector.fromArray(SPECIES, mT[c], r);
            a0 = a0.add(m.mul(x[s0 + c]));
            a1 = a1.add(m.mul(x[s1 + c]));
            a2 = a2.add(m.mul(x[s2 + c]));
            a3 = a3.add(m.mul(x[s3 + c]));
        }
        a0.intoArray(o0, r);
        a1.intoArray(o1, r);
        a2.intoArray(o2, r);
        a3.intoArray(o3, r);
    }

    private static void oneKey(float[] x, int s, float[][] mT, int d, float[] o, int r) {
        FloatVector a = FloatVector.fromArray(SPECIES, o, r);
        int c = 0;
        for (; c + 3 < d; c += 4) {
            a = a.add(FloatVector.fromArray(SPECIES, mT[c], r).mul(x[s + c])
                    .add(FloatVector.fromArray(SPECIES, mT[c + 1], r).mul(x[s + c + 1]))
                    .add(FloatVector.fromArray(SPECIES, mT[c + 2], r).mul(x[s + c + 2]))
                    .add(FloatVector.fromArray(SPECIES, mT[c + 3], r).mul(x[s + c + 3])));
        }
        for (; c < d; c++) {
            a = a.add(FloatVector.fromArray(SPECIES, mT[c], r).mul(x[s + c]));
        }
        a.intoArray(o, r);
    }

    /**
     * {@code outT[c][r] += sum_j x[tok[j] + off + c] * wT[j][r]} for {@code c < d, r < nq}: exactly
     * {@link WindowAttentionKernel#mixRows} (keys in groups of four, then one by one).
     */
    static void mixRows(float[] x, int[] tok, int off, float[][] wT, int n, int d, float[][] outT, int nq) {
        int c = 0;
        for (; c + 3 < d; c += 4) {
            for (int r = 0; r < nq; r += L) {
                fourChannelsOfKeys(x, tok, off + c, wT, n, outT[c], outT[c + 1], outT[c + 2], outT[c + 3], r);
            }
        }
        for (; c < d; c++) {
            for (int r = 0; r < nq; r += L) {
                oneChannelOfKeys(x, tok, off + c, wT, n, outT[c], r);
            }
        }
    }

    /** Output rows {@code o0..o3} (channels {@code c..c+3}, {@code oc = off + c}) at lanes {@code r}. */
    private static void fourChannelsOfKeys(float[] x, int[] tok, int oc, float[][] wT, int n,
                                           float[] o0, float[] o1, float[] o2, float[] o3, int r) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, o0, r);
        FloatVector a1 = FloatVector.fromArray(SPECIES, o1, r);
        FloatVector a2 = FloatVector.fromArray(SPECIES, o2, r);
        FloatVector a3 = FloatVector.fromArray(SPECIES, o3, r);
        int j = 0;
        for (; j + 3 < n; j += 4) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, wT[j], r);
            FloatVector w1 = FloatVector.fromArray(SPECIES, wT[j + 1], r);
            FloatVector w2 = FloatVector.fromArray(SPECIES, wT[j + 2], r);
            FloatVector w3 = FloatVector.fromArray(SPECIES, wT[j + 3], r);
            int s0 = tok[j] + oc;
            int s1 = tok[j + 1] + oc;
            int s2 = tok[j + 2] + oc;
            int s3 = tok[j + 3] + oc;
            a0 = a0.add(w0.mul(x[s0]).add(w1.mul(x[s1])).add(w2.mul(x[s2])).add(w3.mul(x[s3])));
            a1 = a1.add(w0.mul(x[s0 + 1]).add(w1.mul(x[s1 + 1])).add(w2.mul(x[s2 + 1])).add(w3.mul(x[s3 + 1])));
            a2 = a2.add(w0.mul(x[s0 + 2]).add(w1.mul(x[s1 + 2])).add(w2.mul(x[s2 + 2])).add(w3.mul(x[s3 + 2])));
            a3 = a3.add(w0.mul(x[s0 + 3]).add(w1.mul(x[s1 + 3])).add(w2.mul(x[s2 + 3])).add(w3.mul(x[s3 + 3])));
        }
        for (; j < n; j++) {
            FloatVector w = FloatVector.fromArray(SPECIES, wT[j], r);
            int s = tok[j] + oc;
            a0 = a0.add(w.mul(x[s]));
            a1 = a1.add(w.mul(x[s + 1]));
            a2 = a2.add(w.mul(x[s + 2]));
            a3 = a3.add(w.mul(x[s + 3]));
        }
        a0.intoArray(o0, r);
        a1.intoArray(o1, r);
        a2.intoArray(o2, r);
        a3.intoArray(o3, r);
    }

    private static void oneChannelOfKeys(float[] x, int[] tok, int oc, float[][] wT, int n, float[] o, int r) {
        FloatVector a = FloatVector.fromArray(SPECIES, o, r);
        int j = 0;
        for (; j + 3 < n; j += 4) {
            a = a.add(FloatVector.fromArray(SPECIES, wT[j], r).mul(x[tok[j] + oc])
                    .add(FloatVector.fromArray(SPECIES, wT[j + 1], r).mul(x[tok[j + 1] + oc]))
                    .add(FloatVector.fromArray(SPECIES, wT[j + 2], r).mul(x[tok[j + 2] + oc]))
                    .add(FloatVector.fromArray(SPECIES, wT[j + 3], r).mul(x[tok[j + 3] + oc])));
        }
        for (; j < n; j++) {
            a = a.add(FloatVector.fromArray(SPECIES, wT[j], r).mul(x[tok[j] + oc]));
        }
        a.intoArray(o, r);
    }

    /**
     * The softmax's unnormalised weights of one window and head, in place, exactly as
     * {@link WindowAttentionKernel#expScores}' plain passes after its products: per real query {@code r},
     * {@code m[r] = max_j rows[j][r]}, then {@code rows[j][r] = exp(rows[j][r] - m[r])} by
     * {@link FastExp#expNonPositiveVector}'s operations and {@code sum[r]} their sum, keys in order from 0.
     */
    static void softmaxColumns(float[][] rows, int n, int nq, float[] m, float[] sum) {
        for (int r = 0; r < nq; r += L) {
            softmaxLanes(rows, n, r, m, sum);
        }
    }

    private static void softmaxLanes(float[][] rows, int n, int r, float[] m, float[] sum) {
        FloatVector max = FloatVector.fromArray(SPECIES, rows[0], r);
        for (int j = 1; j < n; j++) {
            max = max.max(FloatVector.fromArray(SPECIES, rows[j], r));
        }
        FloatVector total = FloatVector.zero(SPECIES);
        for (int j = 0; j < n; j++) {
            FloatVector e = expNonPositive(FloatVector.fromArray(SPECIES, rows[j], r), max);
            e.intoArray(rows[j], r);
            total = total.add(e);
        }
        max.intoArray(m, r);
        total.intoArray(sum, r);
    }

    /** {@link FastExp#expNonPositiveVector}'s {@code exp(x - shift)}, lane by lane, bit for bit. */
    static FloatVector expNonPositive(FloatVector x, FloatVector shift) {
        FloatVector y = x.sub(shift).max(FastExp.X_MIN).mul(FastExp.INV_2_POW_SQUARINGS);
        FloatVector t = y.mul(FastExp.C6).add(FastExp.C5);
        t = y.mul(t).add(FastExp.C4);
        t = y.mul(t).add(FastExp.C3);
        t = y.mul(t).add(FastExp.C2);
        t = y.mul(t).add(1f);
        FloatVector q = y.mul(t);
        q = q.mul(q.add(2f));
        q = q.mul(q.add(2f));
        q = q.mul(q.add(2f));
        q = q.mul(q.add(2f));
        q = q.mul(q.add(2f));
        q = q.mul(q.add(2f));
        q = q.mul(q.add(2f));
        return q.add(1f);
    }

    /**
     * The softmax's backward of one window and head, exactly as {@link WindowAttentionGradient}'s plain passes:
     * {@code p[j][r] *= inv[r]} (the weights normalised, in place), {@code dot[r] = sum_j p[j][r] dp[j][r]} (keys
     * in order from 0), then {@code dp[j][r] = p[j][r] (dp[j][r] - dot[r])} in place: dP becomes dS.
     */
    static void softmaxGradient(float[][] p, float[][] dp, float[] inv, int n, int nq) {
        for (int r = 0; r < nq; r += L) {
            softmaxGradientLanes(p, dp, inv, n, r);
        }
    }

    private static void softmaxGradientLanes(float[][] p, float[][] dp, float[] inv, int n, int r) {
        FloatVector scale = FloatVector.fromArray(SPECIES, inv, r);
        FloatVector dot = FloatVector.zero(SPECIES);
        for (int j = 0; j < n; j++) {
            FloatVector pj = FloatVector.fromArray(SPECIES, p[j], r).mul(scale);
            pj.intoArray(p[j], r);
            dot = dot.add(pj.mul(FloatVector.fromArray(SPECIES, dp[j], r)));
        }
        for (int j = 0; j < n; j++) {
            FloatVector pj = FloatVector.fromArray(SPECIES, p[j], r);
            pj.mul(FloatVector.fromArray(SPECIES, dp[j], r).sub(dot)).intoArray(dp[j], r);
        }
    }

    /**
     * {@code outT[c][k] += sum_r aT[c][r] * wR[r][k]} for {@code c < d, k < n}: exactly
     * {@code WindowAttentionGradient.mixColumns} (queries in groups of four, then one by one).
     */
    static void mixColumns(float[][] aT, float[][] wR, int nq, int d, int n, float[][] outT) {
        int c = 0;
        for (; c + 3 < d; c += 4) {
            for (int k = 0; k < n; k += L) {
                fourChannelsOfQueries(aT[c], aT[c + 1], aT[c + 2], aT[c + 3], wR, nq,
                        outT[c], outT[c + 1], outT[c + 2], outT[c + 3], k);
            }
        }
        for (; c < d; c++) {
            for (int k = 0; k < n; k += L) {
                oneChannelOfQueries(aT[c], wR, nq, outT[c], k);
            }
        }
    }

    private static void fourChannelsOfQueries(float[] b0, float[] b1, float[] b2, float[] b3, float[][] wR, int nq,
                                              float[] o0, float[] o1, float[] o2, float[] o3, int k) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, o0, k);
        FloatVector a1 = FloatVector.fromArray(SPECIES, o1, k);
        FloatVector a2 = FloatVector.fromArray(SPECIES, o2, k);
        FloatVector a3 = FloatVector.fromArray(SPECIES, o3, k);
        int r = 0;
        for (; r + 3 < nq; r += 4) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, wR[r], k);
            FloatVector w1 = FloatVector.fromArray(SPECIES, wR[r + 1], k);
            FloatVector w2 = FloatVector.fromArray(SPECIES, wR[r + 2], k);
            FloatVector w3 = FloatVector.fromArray(SPECIES, wR[r + 3], k);
            a0 = a0.add(w0.mul(b0[r]).add(w1.mul(b0[r + 1])).add(w2.mul(b0[r + 2])).add(w3.mul(b0[r + 3])));
            a1 = a1.add(w0.mul(b1[r]).add(w1.mul(b1[r + 1])).add(w2.mul(b1[r + 2])).add(w3.mul(b1[r + 3])));
            a2 = a2.add(w0.mul(b2[r]).add(w1.mul(b2[r + 1])).add(w2.mul(b2[r + 2])).add(w3.mul(b2[r + 3])));
            a3 = a3.add(w0.mul(b3[r]).add(w1.mul(b3[r + 1])).add(w2.mul(b3[r + 2])).add(w3.mul(b3[r + 3])));
        }
        for (; r < nq; r++) {
            FloatVector w = FloatVector.fromArray(SPECIES, wR[r], k);
            a0 = a0.add(w.mul(b0[r]));
            a1 = a1.add(w.mul(b1[r]));
            a2 = a2.add(w.mul(b2[r]));
            a3 = a3.add(w.mul(b3[r]));
        }
        a0.intoArray(o0, k);
        a1.intoArray(o1, k);
        a2.intoArray(o2, k);
        a3.intoArray(o3, k);
    }

    private static void oneChannelOfQueries(float[] b, float[][] wR, int nq, float[] o, int k) {
        FloatVector a = FloatVector.fromArray(SPECIES, o, k);
        int r = 0;
        for (; r + 3 < nq; r += 4) {
            a = a.add(FloatVector.fromArray(SPECIES, wR[r], k).mul(b[r])
                    .add(FloatVector.fromArray(SPECIES, wR[r + 1], k).mul(b[r + 1]))
                    .add(FloatVector.fromArray(SPECIES, wR[r + 2], k).mul(b[r + 2]))
                    .add(FloatVector.fromArray(SPECIES, wR[r + 3], k).mul(b[r + 3])));
        }
        for (; r < nq; r++) {
            a = a.add(FloatVector.fromArray(SPECIES, wR[r], k).mul(b[r]));
        }
        a.intoArray(o, k);
    }
}

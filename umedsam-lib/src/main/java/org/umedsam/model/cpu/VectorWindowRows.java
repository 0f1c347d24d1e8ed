package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three products of the plain window attention ({@link WindowAttentionKernel#dotRows} for every key,
 * {@link WindowAttentionKernel#mixRows}, and in place of {@link WindowAttentionGradient}'s {@code mixColumns} over
 * key-major copies, {@link #keyColumns}) with the Vector API, register-blocked: <b>the same float operations in the
 * same order for every output value</b> (multiplies and adds, no fused multiply-adds; the groups of four products
 * summed left to right, then added to the output), so the same bits as the plain loops, lane by lane. That is what
 * lets training use them: its backward recomputes the forward's attention weights, and a run resumed in a JVM
 * without the Vector API continues bit for bit.
 *
 * <p>Lanes run along the queries for the first two and along the channels for {@link #keyColumns}. All three
 * products are one kernel ({@link #fourRows}) once their scalar side is laid out four outputs at a time; it keeps
 * four output rows in registers over the whole reduction, where C2's vectorisation of the plain innermost
 * loop loads and stores its output row once per group of four products. The rows must hold whole vectors past
 * {@code nq} (resp. {@code d}): {@link WindowScratch#padded} lengths; lanes past the real ones compute values nobody
 * reads.
 *
 * <p>Why: the plain kernels took 16 % of a LiteMedSAM training step's CPU samples on a 2-core Zen 4 host
 * (2026-12-06). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}; methods stay small, as a Vector
 * API call C2 does not inline boxes its vectors.
 */
final class VectorWindowRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /**
     * Per thread, the scalar side of a product laid out for {@link #fourRows}: {@code coef[4 i + k]} multiplies row
     * {@code i} of the vector side into output row {@code k}.
     */
    private static final ThreadLocal<float[]> COEFFICIENTS = ThreadLocal.withInitial(() -> new float[4 * 256]);

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
        float[] coef = coefficients(d);
        int j = 0;
        for (; j + 3 < n; j += 4) {
            int s0 = tok[j] + off;
            int s1 = tok[j + 1] + off;
            int s2 = tok[j + 2] + off;
            int s3 = tok[j + 3] + off;
            for (int c = 0, q = 0; c < d; c++, q += 4) {
                coef[q] = x[s0 + c];
                coef[q + 1] = x[s1 + c];
                coef[q + 2] = x[s2 + c];
                coef[q + 3] = x[s3 + c];
            }
            for (int r = 0; r < nq; r += L) {
                fourRows(mT, d, coef, rows[j], rows[j + 1], rows[j + 2], rows[j + 3], r);
            }
        }
        for (; j < n; j++) {
            System.arraycopy(x, tok[j] + off, coef, 0, d);
            for (int r = 0; r < nq; r += L) {
                oneRow(mT, d, coef, rows[j], r);
            }
        }
    }

    /**
     * {@code outT[c][r] += sum_j x[tok[j] + off + c] * wT[j][r]} for {@code c < d, r < nq}: exactly
     * {@link WindowAttentionKernel#mixRows} (keys in groups of four, then one by one).
     */
    static void mixRows(float[] x, int[] tok, int off, float[][] wT, int n, int d, float[][] outT, int nq) {
        float[] coef = coefficients(n);
        int c = 0;
        for (; c + 3 < d; c += 4) {
            for (int j = 0; j < n; j++) {
                System.arraycopy(x, tok[j] + off + c, coef, 4 * j, 4);
            }
            for (int r = 0; r < nq; r += L) {
                fourRows(wT, n, coef, outT[c], outT[c + 1], outT[c + 2], outT[c + 3], r);
            }
        }
        for (; c < d; c++) {
            for (int j = 0; j < n; j++) {
                coef[j] = x[tok[j] + off + c];
            }
            for (int r = 0; r < nq; r += L) {
                oneRow(wT, n, coef, outT[c], r);
            }
        }
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
     * {@code out[k][c] += sum_r cT[k][r] * w[r][c]} for {@code k < n, c < d}, over {@code r < nq} (the keys' rows of
     * the coefficients {@code cT [n][nq]}, and the rows {@code w [nq][d]}): the window backward's dV and dK with lanes
     * along the channels ({@code w} rows and {@code out} rows padded to whole vectors). Each output value sums the
     * same products in the same groups of four as {@code WindowAttentionGradient.mixColumns} over the key-major copies
     * of {@code cT}.
     */
    static void keyColumns(float[][] cT, float[][] w, int nq, int n, int d, float[][] out) {
        float[] coef = coefficients(nq);
        int k = 0;
        for (; k + 3 < n; k += 4) {
            interleaveFour(cT, k, nq, coef);
            for (int c = 0; c < d; c += L) {
                fourRows(w, nq, coef, out[k], out[k + 1], out[k + 2], out[k + 3], c);
            }
        }
        for (; k < n; k++) {
            for (int c = 0; c < d; c += L) {
                oneRow(w, nq, cT[k], out[k], c);
            }
        }
    }

    /**
     * Rows {@code first .. first + 3} of {@code rows} interleaved into {@code coef} as {@link #fourRows} reads its
     * scalar side: {@code coef[4 i + k] = rows[first + k][i]} for {@code i < count}.
     */
    private static void interleaveFour(float[][] rows, int first, int count, float[] coef) {
        float[] b0 = rows[first];
        float[] b1 = rows[first + 1];
        float[] b2 = rows[first + 2];
        float[] b3 = rows[first + 3];
        for (int i = 0, q = 0; i < count; i++, q += 4) {
            coef[q] = b0[i];
            coef[q + 1] = b1[i];
            coef[q + 2] = b2[i];
            coef[q + 3] = b3[i];
        }
    }

    /** This thread's coefficient buffer, at least {@code 4 * count} floats. */
    private static float[] coefficients(int count) {
        float[] coef = COEFFICIENTS.get();
        if (coef.length < 4 * count) {
            coef = new float[4 * count];
            COEFFICIENTS.set(coef);
        }
        return coef;
    }

    /**
     * The kernel of all three products, at lanes {@code [lane, lane + L)}: {@code o_k += sum_i w[i] * coef[4 i + k]}
     * for the four output rows {@code k}, over {@code i < count} in groups of four, each group's products summed left
     * to right and then added to the output, then the remaining {@code i} one by one: the plain loops' order.
     */
    private static void fourRows(float[][] w, int count, float[] coef, float[] o0, float[] o1, float[] o2, float[] o3,
                                 int lane) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, o0, lane);
        FloatVector a1 = FloatVector.fromArray(SPECIES, o1, lane);
        FloatVector a2 = FloatVector.fromArray(SPECIES, o2, lane);
        FloatVector a3 = FloatVector.fromArray(SPECIES, o3, lane);
        int i = 0;
        for (; i + 3 < count; i += 4) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, w[i], lane);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w[i + 1], lane);
            FloatVector w2 = FloatVector.fromArray(SPECIES, w[i + 2], lane);
            FloatVector w3 = FloatVector.fromArray(SPECIES, w[i + 3], lane);
            int q = 4 * i;
            a0 = a0.add(w0.mul(coef[q]).add(w1.mul(coef[q + 4])).add(w2.mul(coef[q + 8])).add(w3.mul(coef[q + 12])));
            a1 = a1.add(w0.mul(coef[q + 1]).add(w1.mul(coef[q + 5])).add(w2.mul(coef[q + 9]))
                    .add(w3.mul(coef[q + 13])));
            a2 = a2.add(w0.mul(coef[q + 2]).add(w1.mul(coef[q + 6])).add(w2.mul(coef[q + 10]))
                    .add(w3.mul(coef[q + 14])));
            a3 = a3.add(w0.mul(coef[q + 3]).add(w1.mul(coef[q + 7])).add(w2.mul(coef[q + 11]))
                    .add(w3.mul(coef[q + 15])));
        }
        for (; i < count; i++) {
            FloatVector wi = FloatVector.fromArray(SPECIES, w[i], lane);
            int q = 4 * i;
            a0 = a0.add(wi.mul(coef[q]));
            a1 = a1.add(wi.mul(coef[q + 1]));
            a2 = a2.add(wi.mul(coef[q + 2]));
            a3 = a3.add(wi.mul(coef[q + 3]));
        }
        a0.intoArray(o0, lane);
        a1.intoArray(o1, lane);
        a2.intoArray(o2, lane);
        a3.intoArray(o3, lane);
    }

    /** {@link #fourRows} for one output row: {@code o += sum_i w[i] * coef[i]}, in the same order. */
    private static void oneRow(float[][] w, int count, float[] coef, float[] o, int lane) {
        FloatVector a = FloatVector.fromArray(SPECIES, o, lane);
        int i = 0;
        for (; i + 3 < count; i += 4) {
            a = a.add(FloatVector.fromArray(SPECIES, w[i], lane).mul(coef[i])
                    .add(FloatVector.fromArray(SPECIES, w[i + 1], lane).mul(coef[i + 1]))
                    .add(FloatVector.fromArray(SPECIES, w[i + 2], lane).mul(coef[i + 2]))
                    .add(FloatVector.fromArray(SPECIES, w[i + 3], lane).mul(coef[i + 3])));
        }
        for (; i < count; i++) {
            a = a.add(FloatVector.fromArray(SPECIES, w[i], lane).mul(coef[i]));
        }
        a.intoArray(o, lane);
    }
}

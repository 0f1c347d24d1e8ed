package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * TinyViT's window attention core for inference, register-blocked with the Vector API: per window and head,
 * {@code out = softmax(q k^T * scale + bias) v} (PyTorch: {@code (q @ k.transpose(-2, -1) * scale +
 * bias).softmax(-1) @ v} per window, as upstream's {@code Attention}), the same function and window geometry as
 * {@link WindowAttentionKernel} (padding, pad row, pair biases: see there).
 *
 * <p>Schedule, per (window, head) task: the keys are transposed once into {@code kT [d][nPad]} ({@code nPad} = the
 * window's {@code N = ws*ws} positions rounded up to whole vectors, pad columns zero with bias {@code -inf}); then
 * for each block of four queries, {@code s[4][nPad]} is accumulated over the {@code d} channels in 4 x 2 vector
 * registers (per channel: two key vectors loaded, four query values broadcast, eight fused multiply-adds), scaled
 * and biased on the way out; each row gets its softmax ({@code exp} as {@link FastExp#expNonPositiveVector}:
 * degree-6 {@code expm1} of {@code (s - max) / 128}, squared seven times, within about 1.5e-7 absolute), and
 * {@code out[4][d]} is accumulated over the keys in 4 x 2 registers (per key: two value vectors, four weights
 * broadcast) and divided by the row sums. A last block of fewer than four queries repeats its last query (same
 * values written twice), so there is no scalar tail.
 *
 * <p>Numerics: float32 throughout; fused multiply-adds and a different summation order than
 * {@link WindowAttentionKernel}, so outputs differ from it by a few ulp (at most 2e-6 on unit-variance inputs, a
 * test checks 1e-5). Deterministic: the same inputs give the same bits on the same machine kind (the lane count is
 * {@code FloatVector.SPECIES_PREFERRED}'s, 16 with AVX-512 and 8 with AVX2). Training keeps
 * {@link WindowAttentionKernel}, whose weights its backward recomputes bit for bit.
 *
 * <p>Why: C2 vectorises only innermost loops, so the plain kernel loads and stores its output row for every
 * multiply-add group; blocking four queries by two vectors in registers took LiteMedSAM's ten attention blocks from
 * 123 to 53 ms per image on a 2-core AVX-512 host (2026-12-05, both threads). Loaded only when
 * {@link org.umedsam.model.VectorSupport#enabled()}.
 */
final class VectorWindowAttention implements WindowAttentionForward {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Queries per register block. */
    private static final int QB = 4;

    private final WindowGeometry geometry;
    /** Positions per window rounded up to whole vectors. */
    private final int nPad;
    /** {@code [heads, N, nPad]}: the pair biases, {@code -inf} in the pad columns (their weights become 0). */
    private final float[] paddedBias;
    private final ThreadLocal<Scratch> scratch;

    /** One thread's buffers: gathered offsets, {@code kT [d][nPad]} and a block's {@code s [QB][nPad]}. */
    private static final class Scratch {
        final int[] token;
        final int[] queryPos;
        final int[] outRow;
        final float[] kT;
        final float[] s;

        Scratch(int n, int nPad, int d) {
            token = new int[n];
            queryPos = new int[n];
            outRow = new int[n];
            kT = new float[d * nPad]; // pad columns stay 0
            s = new float[QB * nPad];
        }
    }

    /** Whether a head of {@code headDim} channels fits whole vectors (the output is accumulated by vector). */
    static boolean supports(int headDim) {
        return headDim % L == 0;
    }

    /**
     * @param attentionBiases {@code [heads, ws*ws]}
     */
    VectorWindowAttention(int heads, int headDim, int ws, float[] attentionBiases) {
        if (!supports(headDim)) {
            throw new IllegalArgumentException("head dim " + headDim + " is not a multiple of " + L + " lanes");
        }
        geometry = new WindowGeometry(heads, headDim, ws, attentionBiases);
        int n = geometry.tokens;
        int np = (n + L - 1) / L * L;
        nPad = np;
        paddedBias = new float[heads * n * np];
        for (int row = 0; row < heads * n; row++) {
            System.arraycopy(geometry.pairBias, row * n, paddedBias, row * np, n);
            Arrays.fill(paddedBias, row * np + n, (row + 1) * np, Float.NEGATIVE_INFINITY);
        }
        scratch = ThreadLocal.withInitial(() -> new Scratch(n, np, headDim));
    }

    @Override
    public void apply(float[] qkv, int side, float[] out) {
        WindowGeometry g = geometry;
        g.forEachWindowHead(side, (task, wy, wx, h) -> window(qkv, side, wy, wx, h, out, scratch.get()));
    }

    private void window(float[] qkv, int side, int wy, int wx, int h, float[] out, Scratch sc) {
        WindowGeometry g = geometry;
        int n = g.tokens;
        int d = g.headDim;
        int np = nPad;
        int[] tok = sc.token;
        int[] qpos = sc.queryPos;
        int[] dst = sc.outRow;
        int nq = WindowAttentionKernel.gather(side, wy, wx, h, g.heads, d, g.ws, tok, qpos, dst);
        float[] kT = sc.kT;
        for (int j = 0; j < n; j++) {
            int src = tok[j] + d;
            for (int c = 0; c < d; c++) {
                kT[c * np + j] = qkv[src + c];
            }
        }
        float[] s = sc.s;
        int biasBase = h * n * np;
        for (int r = 0; r < nq; r += QB) {
            int r1 = Math.min(r + 1, nq - 1);
            int r2 = Math.min(r + 2, nq - 1);
            int r3 = Math.min(r + 3, nq - 1);
            scores(qkv, tok[qpos[r]], tok[qpos[r1]], tok[qpos[r2]], tok[qpos[r3]], kT, np, d, g.scale, paddedBias,
                    biasBase + qpos[r] * np, biasBase + qpos[r1] * np, biasBase + qpos[r2] * np,
                    biasBase + qpos[r3] * np, s);
            float inv0 = softmaxRow(s, 0, np);
            float inv1 = softmaxRow(s, np, np);
            float inv2 = softmaxRow(s, 2 * np, np);
            float inv3 = softmaxRow(s, 3 * np, np);
            mix(qkv, tok, n, d, s, np, out, dst[r], dst[r1], dst[r2], dst[r3], inv0, inv1, inv2, inv3);
        }
    }

    /**
     * {@code s[i][j] = scale * (q_i . k_j) + bias_i[j]} for the four queries at qkv offsets {@code q0..q3} and every
     * key {@code j < np}, from {@code kT [d][np]}.
     */
    private static void scores(float[] qkv, int q0, int q1, int q2, int q3, float[] kT, int np, int d, float scale,
                               float[] bias, int b0, int b1, int b2, int b3, float[] s) {
        FloatVector sv = FloatVector.broadcast(SPECIES, scale);
        int j = 0;
        for (; j + 2 * L <= np; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector c2 = a0;
            FloatVector c3 = a0;
            for (int c = 0; c < d; c++) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * np + j);
                FloatVector k1 = FloatVector.fromArray(SPECIES, kT, c * np + j + L);
                FloatVector x0 = FloatVector.broadcast(SPECIES, qkv[q0 + c]);
                FloatVector x1 = FloatVector.broadcast(SPECIES, qkv[q1 + c]);
                FloatVector x2 = FloatVector.broadcast(SPECIES, qkv[q2 + c]);
                FloatVector x3 = FloatVector.broadcast(SPECIES, qkv[q3 + c]);
                a0 = k0.fma(x0, a0);
                c0 = k1.fma(x0, c0);
                a1 = k0.fma(x1, a1);
                c1 = k1.fma(x1, c1);
                a2 = k0.fma(x2, a2);
                c2 = k1.fma(x2, c2);
                a3 = k0.fma(x3, a3);
                c3 = k1.fma(x3, c3);
            }
            a0.fma(sv, FloatVector.fromArray(SPECIES, bias, b0 + j)).intoArray(s, j);
            c0.fma(sv, FloatVector.fromArray(SPECIES, bias, b0 + j + L)).intoArray(s, j + L);
            a1.fma(sv, FloatVector.fromArray(SPECIES, bias, b1 + j)).intoArray(s, np + j);
            c1.fma(sv, FloatVector.fromArray(SPECIES, bias, b1 + j + L)).intoArray(s, np + j + L);
            a2.fma(sv, FloatVector.fromArray(SPECIES, bias, b2 + j)).intoArray(s, 2 * np + j);
            c2.fma(sv, FloatVector.fromArray(SPECIES, bias, b2 + j + L)).intoArray(s, 2 * np + j + L);
            a3.fma(sv, FloatVector.fromArray(SPECIES, bias, b3 + j)).intoArray(s, 3 * np + j);
            c3.fma(sv, FloatVector.fromArray(SPECIES, bias, b3 + j + L)).intoArray(s, 3 * np + j + L);
        }
        if (j < np) { // one vector of keys left
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int c = 0; c < d; c++) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * np + j);
                a0 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q0 + c]), a0);
                a1 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q1 + c]), a1);
                a2 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q2 + c]), a2);
                a3 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q3 + c]), a3);
            }
            a0.fma(sv, FloatVector.fromArray(SPECIES, bias, b0 + j)).intoArray(s, j);
            a1.fma(sv, FloatVector.fromArray(SPECIES, bias, b1 + j)).intoArray(s, np + j);
            a2.fma(sv, FloatVector.fromArray(SPECIES, bias, b2 + j)).intoArray(s, 2 * np + j);
            a3.fma(sv, FloatVector.fromArray(SPECIES, bias, b3 + j)).intoArray(s, 3 * np + j);
        }
    }

    /** {@code s[off, off + np) = exp(s - max)} in place ({@code -inf} pads give about 1.6e-38); returns 1 / sum. */
    private static float softmaxRow(float[] s, int off, int np) {
        FloatVector m = FloatVector.fromArray(SPECIES, s, off);
        for (int j = L; j < np; j += L) {
            m = m.max(FloatVector.fromArray(SPECIES, s, off + j));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < np; j += L) {
            // FastExp.expNonPositiveVector's operations and constants, lane by lane
            FloatVector y = FloatVector.fromArray(SPECIES, s, off + j).sub(max).max(FastExp.X_MIN)
                    .mul(FastExp.INV_2_POW_SQUARINGS);
            FloatVector t = y.mul(FastExp.C6).add(FastExp.C5);
            t = y.mul(t).add(FastExp.C4);
            t = y.mul(t).add(FastExp.C3);
            t = y.mul(t).add(FastExp.C2);
            t = y.mul(t).add(1f);
            FloatVector q = y.mul(t); // expm1(y)
            for (int k = 0; k < FastExp.SQUARINGS; k++) {
                q = q.add(2f).mul(q); // (1 + q)^2 - 1
            }
            FloatVector e = q.add(1f);
            e.intoArray(s, off + j);
            sum = sum.add(e);
        }
        return 1f / sum.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@code out[o_i + c] = inv_i * sum_j s[i][j] v_j[c]} for the four queries' weight rows {@code s [4][np]} and the
     * {@code n} real keys' values (qkv offset {@code tok[j] + 2d}).
     */
    private static void mix(float[] qkv, int[] tok, int n, int d, float[] s, int np, float[] out, int o0, int o1,
                            int o2, int o3, float inv0, float inv1, float inv2, float inv3) {
        int c = 0;
        for (; c + 2 * L <= d; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector c2 = a0;
            FloatVector c3 = a0;
            for (int j = 0; j < n; j++) {
                int v = tok[j] + 2 * d + c;
                FloatVector v0 = FloatVector.fromArray(SPECIES, qkv, v);
                FloatVector v1 = FloatVector.fromArray(SPECIES, qkv, v + L);
                FloatVector w0 = FloatVector.broadcast(SPECIES, s[j]);
                FloatVector w1 = FloatVector.broadcast(SPECIES, s[np + j]);
                FloatVector w2 = FloatVector.broadcast(SPECIES, s[2 * np + j]);
                FloatVector w3 = FloatVector.broadcast(SPECIES, s[3 * np + j]);
                a0 = v0.fma(w0, a0);
                c0 = v1.fma(w0, c0);
                a1 = v0.fma(w1, a1);
                c1 = v1.fma(w1, c1);
                a2 = v0.fma(w2, a2);
                c2 = v1.fma(w2, c2);
                a3 = v0.fma(w3, a3);
                c3 = v1.fma(w3, c3);
            }
            a0.mul(inv0).intoArray(out, o0 + c);
            c0.mul(inv0).intoArray(out, o0 + c + L);
            a1.mul(inv1).intoArray(out, o1 + c);
            c1.mul(inv1).intoArray(out, o1 + c + L);
            a2.mul(inv2).intoArray(out, o2 + c);
            c2.mul(inv2).intoArray(out, o2 + c + L);
            a3.mul(inv3).intoArray(out, o3 + c);
            c3.mul(inv3).intoArray(out, o3 + c + L);
        }
        if (c < d) { // one vector of channels left
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = 0; j < n; j++) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, qkv, tok[j] + 2 * d + c);
                a0 = v0.fma(FloatVector.broadcast(SPECIES, s[j]), a0);
                a1 = v0.fma(FloatVector.broadcast(SPECIES, s[np + j]), a1);
                a2 = v0.fma(FloatVector.broadcast(SPECIES, s[2 * np + j]), a2);
                a3 = v0.fma(FloatVector.broadcast(SPECIES, s[3 * np + j]), a3);
            }
            a0.mul(inv0).intoArray(out, o0 + c);
            a1.mul(inv1).intoArray(out, o1 + c);
            a2.mul(inv2).intoArray(out, o2 + c);
            a3.mul(inv3).intoArray(out, o3 + c);
        }
    }
}

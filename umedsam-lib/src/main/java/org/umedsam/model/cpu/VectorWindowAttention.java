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
 * <p>Schedule, per (window, head) task: the keys are transposed once into {@code kT [d][nPad]} by gathers, one
 * vector of keys per channel ({@code nPad} = the window's {@code N = ws*ws} positions rounded up to whole vectors;
 * pad columns gather the first token, and their bias {@code -inf} makes their weights 0); then for each block of
 * eight queries, {@code s[8][nPad]} is accumulated over the {@code d} channels in 8 x 2 vector registers (per
 * channel: two key vectors loaded, eight query values broadcast, sixteen fused multiply-adds); each row is scaled
 * and biased while its maximum is found, then exponentiated and summed ({@link #expRow}), and {@code out[8][d]} is
 * accumulated over the keys in 8 x 2 registers (per key: two value vectors, eight weights broadcast, each weight
 * times its row's 1 / sum). A last
 * block of fewer than eight queries repeats its last query (same values written again), so there is no scalar
 * tail. The blocks are written out query by query: vectors held in an array or indexed in a loop would be boxed.
 *
 * <p>Numerics: float32 throughout; fused multiply-adds, a different summation order and a different {@code exp}
 * than {@link WindowAttentionKernel}, so outputs differ from it by a few ulp (at most 1e-5 on unit-variance
 * inputs, a test checks 1e-5). Deterministic: the same inputs give the same bits on the same machine kind (the
 * lane count is {@code FloatVector.SPECIES_PREFERRED}'s, 16 with AVX-512 and 8 with AVX2). Training keeps
 * {@link WindowAttentionKernel}, whose weights its backward recomputes bit for bit.
 *
 * <p>Why: C2 vectorises only innermost loops, so the plain kernel loads and stores its output row for every
 * multiply-add group; blocking queries by two vectors in registers took LiteMedSAM's ten attention blocks from
 * 123 to 53 ms per image on a 2-core AVX-512 host (2026-12-05, both threads). Eight queries instead of four, the
 * keys' transposition by gathers instead of scalar copies (which had cost a fifth of the attention) and the
 * exponent-bits {@code exp} instead of seven squarings took it a further fifth down (measured interleaved, same
 * host; {@code docs/speed-history.md}). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 */
final class VectorWindowAttention implements WindowAttentionForward {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Queries per register block. */
    private static final int QB = 8;

    private final WindowGeometry geometry;
    /** Positions per window rounded up to whole vectors. */
    private final int nPad;
    /** {@code [heads, N, nPad]}: the pair biases, {@code -inf} in the pad columns (their weights become 0). */
    private final float[] paddedBias;
    private final ThreadLocal<Scratch> scratch;

    /** One thread's buffers: gathered offsets, {@code kT [d][nPad]}, a block's {@code s [QB][nPad]} and rows. */
    private static final class Scratch {
        /** Per window position, its token's qkv offset; entries past {@code N} stay 0, gathered for pad columns. */
        final int[] token;
        final int[] queryPos;
        final int[] outRow;
        final float[] kT;
        final float[] s;
        /** The block's queries: qkv offsets, bias row offsets, output offsets and 1 / row sums. */
        final int[] blockQuery = new int[QB];
        final int[] blockBias = new int[QB];
        final int[] blockOut = new int[QB];
        final float[] blockInvSum = new float[QB];

        Scratch(int n, int nPad, int d) {
            token = new int[nPad];
            queryPos = new int[n];
            outRow = new int[n];
            kT = new float[d * nPad];
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
        for (int c = 0; c < d; c++) {
            for (int j = 0; j < np; j += L) {
                FloatVector.fromArray(SPECIES, qkv, d + c, tok, j).intoArray(kT, c * np + j);
            }
        }
        float[] s = sc.s;
        int[] query = sc.blockQuery;
        int[] bias = sc.blockBias;
        int[] dstRow = sc.blockOut;
        float[] invSum = sc.blockInvSum;
        int biasBase = h * n * np;
        for (int r = 0; r < nq; r += QB) {
            for (int i = 0; i < QB; i++) {
                int ri = Math.min(r + i, nq - 1);
                query[i] = tok[qpos[ri]];
                bias[i] = biasBase + qpos[ri] * np;
                dstRow[i] = dst[ri];
            }
            scores(qkv, query, kT, np, d, s);
            for (int i = 0; i < QB; i++) {
                invSum[i] = 1f / expRow(s, i * np, np, g.scale, paddedBias, bias[i]);
            }
            mix(qkv, tok, n, d, s, np, out, dstRow, invSum);
        }
    }

    /**
     * {@code s[i][j] = q_i . k_j} for the eight queries at qkv offsets {@code q[i]} and every key {@code j < np},
     * from {@code kT [d][np]}: two vectors of keys at a time, then one.
     *
     * <p>Why the scale and bias are left to {@link #expRow}, and separate methods for two vectors and one: C2
     * stops inlining once a compilation has grown past a node budget, and a Vector API call that is not inlined
     * boxes its vectors. With the scale and bias applied here, in one method, the last block's stores were past it
     * in the encoder's JVM (64 MB allocated an embedding, the attention 1.7 times slower than alone).
     */
    private static void scores(float[] qkv, int[] q, float[] kT, int np, int d, float[] s) {
        int j = 0;
        for (; j + 2 * L <= np; j += 2 * L) {
            scoresTwoVectors(qkv, q, kT, np, j, d, s);
        }
        if (j < np) {
            scoresOneVector(qkv, q, kT, np, j, d, s);
        }
    }

    /** {@link #scores} for keys {@code [j, j + 2L)}. */
    private static void scoresTwoVectors(float[] qkv, int[] q, float[] kT, int np, int j, int d, float[] s) {
        int q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0, c7 = a0;
        for (int c = 0; c < d; c++) {
            FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * np + j);
            FloatVector k1 = FloatVector.fromArray(SPECIES, kT, c * np + j + L);
            FloatVector x0 = FloatVector.broadcast(SPECIES, qkv[q0 + c]);
            a0 = k0.fma(x0, a0);
            c0 = k1.fma(x0, c0);
            FloatVector x1 = FloatVector.broadcast(SPECIES, qkv[q1 + c]);
            a1 = k0.fma(x1, a1);
            c1 = k1.fma(x1, c1);
            FloatVector x2 = FloatVector.broadcast(SPECIES, qkv[q2 + c]);
            a2 = k0.fma(x2, a2);
            c2 = k1.fma(x2, c2);
            FloatVector x3 = FloatVector.broadcast(SPECIES, qkv[q3 + c]);
            a3 = k0.fma(x3, a3);
            c3 = k1.fma(x3, c3);
            FloatVector x4 = FloatVector.broadcast(SPECIES, qkv[q4 + c]);
            a4 = k0.fma(x4, a4);
            c4 = k1.fma(x4, c4);
            FloatVector x5 = FloatVector.broadcast(SPECIES, qkv[q5 + c]);
            a5 = k0.fma(x5, a5);
            c5 = k1.fma(x5, c5);
            FloatVector x6 = FloatVector.broadcast(SPECIES, qkv[q6 + c]);
            a6 = k0.fma(x6, a6);
            c6 = k1.fma(x6, c6);
            FloatVector x7 = FloatVector.broadcast(SPECIES, qkv[q7 + c]);
            a7 = k0.fma(x7, a7);
            c7 = k1.fma(x7, c7);
        }
        a0.intoArray(s, 0 * np + j);
        c0.intoArray(s, 0 * np + j + L);
        a1.intoArray(s, 1 * np + j);
        c1.intoArray(s, 1 * np + j + L);
        a2.intoArray(s, 2 * np + j);
        c2.intoArray(s, 2 * np + j + L);
        a3.intoArray(s, 3 * np + j);
        c3.intoArray(s, 3 * np + j + L);
        a4.intoArray(s, 4 * np + j);
        c4.intoArray(s, 4 * np + j + L);
        a5.intoArray(s, 5 * np + j);
        c5.intoArray(s, 5 * np + j + L);
        a6.intoArray(s, 6 * np + j);
        c6.intoArray(s, 6 * np + j + L);
        a7.intoArray(s, 7 * np + j);
        c7.intoArray(s, 7 * np + j + L);
    }

    /** {@link #scores} for keys {@code [j, j + L)}. */
    private static void scoresOneVector(float[] qkv, int[] q, float[] kT, int np, int j, int d, float[] s) {
        int q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int c = 0; c < d; c++) {
            FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * np + j);
            a0 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q0 + c]), a0);
            a1 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q1 + c]), a1);
            a2 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q2 + c]), a2);
            a3 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q3 + c]), a3);
            a4 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q4 + c]), a4);
            a5 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q5 + c]), a5);
            a6 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q6 + c]), a6);
            a7 = k0.fma(FloatVector.broadcast(SPECIES, qkv[q7 + c]), a7);
        }
        a0.intoArray(s, 0 * np + j);
        a1.intoArray(s, 1 * np + j);
        a2.intoArray(s, 2 * np + j);
        a3.intoArray(s, 3 * np + j);
        a4.intoArray(s, 4 * np + j);
        a5.intoArray(s, 5 * np + j);
        a6.intoArray(s, 6 * np + j);
        a7.intoArray(s, 7 * np + j);
    }

    private static final float LOG2E = 1.44269504088896341f;
    /** {@code 1.5 * 2^23}: adding it rounds a float below {@code 2^22} in magnitude to an integer in the low bits. */
    private static final float ROUND = 12582912f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    /**
     * {@code s[off, off + np) = exp(x - max x)} in place for {@code x = s * scale + bias[biasOff, biasOff + np)}
     * (one fused multiply-add); returns the sum. {@code exp x} for {@code x <= 0} (clamped to
     * {@link FastExp#X_MIN}, so about 1.6e-38 at least, {@code -inf} pads included): {@code x = k ln2 + f} with
     * {@code k = round(x log2 e)} by the {@link #ROUND} addition and ln2 split in two (Cody-Waite),
     * {@code exp f} by its Taylor polynomial of degree 6 on {@code |f| <= ln2/2} (truncation below 1.2e-7
     * relative), and {@code 2^k} added to the exponent bits: the low mantissa bits of {@code x log2 e + ROUND}
     * are {@code k} in two's complement, shifted left by 23 and added to the polynomial's bits as integers
     * (wrapping is exact for {@code -126 <= k <= 0}). Within 3 ulp of {@code Math.exp} (2.6 measured over the range, a
     * test checks 3).
     */
    static float expRow(float[] s, int off, int np, float scale, float[] bias, int biasOff) {
        FloatVector sv = FloatVector.broadcast(SPECIES, scale);
        FloatVector m = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < np; j += L) {
            FloatVector x = FloatVector.fromArray(SPECIES, s, off + j).fma(sv, FloatVector.fromArray(SPECIES, bias,
                    biasOff + j));
            x.intoArray(s, off + j);
            m = m.max(x);
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        FloatVector round = FloatVector.broadcast(SPECIES, ROUND);
        FloatVector minusLn2Hi = FloatVector.broadcast(SPECIES, -LN2_HI);
        FloatVector minusLn2Lo = FloatVector.broadcast(SPECIES, -LN2_LO);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector c2 = FloatVector.broadcast(SPECIES, FastExp.C2);
        FloatVector c3 = FloatVector.broadcast(SPECIES, FastExp.C3);
        FloatVector c4 = FloatVector.broadcast(SPECIES, FastExp.C4);
        FloatVector c5 = FloatVector.broadcast(SPECIES, FastExp.C5);
        FloatVector c6 = FloatVector.broadcast(SPECIES, FastExp.C6);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < np; j += L) {
            FloatVector x = FloatVector.fromArray(SPECIES, s, off + j).sub(max).max(FastExp.X_MIN);
            FloatVector t = x.fma(log2e, round);
            FloatVector k = t.sub(round);
            FloatVector f = k.fma(minusLn2Lo, k.fma(minusLn2Hi, x));
            FloatVector p = f.fma(c6, c5).fma(f, c4).fma(f, c3).fma(f, c2).fma(f, one).fma(f, one);
            FloatVector e = p.reinterpretAsInts().add(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23))
                    .reinterpretAsFloats();
            e.intoArray(s, off + j);
            sum = sum.add(e);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@code out[o_i + c] = sum_j (s[i][j] inv_i) v_j[c]} for the eight queries' weight rows {@code s [8][np]} and
     * the {@code n} real keys' values (qkv offset {@code tok[j] + 2d}): two vectors of channels at a time, then one
     * (separate methods for C2, as {@link #scores}).
     *
     * <p>Why each weight is normalised as it is broadcast and the accumulators are stored as they are: multiplying an
     * accumulator after the loop ({@code a.mul(inv)}) is a call on a vector whose class C2 did not know there, and in
     * every encoder JVM it boxed (26 MB an embedding); the scalar products cost nothing beside the fused
     * multiply-adds.
     */
    private static void mix(float[] qkv, int[] tok, int n, int d, float[] s, int np, float[] out, int[] o,
                            float[] inv) {
        int c = 0;
        for (; c + 2 * L <= d; c += 2 * L) {
            mixTwoVectors(qkv, tok, n, d, c, s, np, out, o, inv);
        }
        if (c < d) {
            mixOneVector(qkv, tok, n, d, c, s, np, out, o, inv);
        }
    }

    /** {@link #mix} for channels {@code [c, c + 2L)}. */
    private static void mixTwoVectors(float[] qkv, int[] tok, int n, int d, int c, float[] s, int np, float[] out,
                                      int[] o, float[] inv) {
        float inv0 = inv[0], inv1 = inv[1], inv2 = inv[2], inv3 = inv[3], inv4 = inv[4], inv5 = inv[5], inv6 = inv[6],
                inv7 = inv[7];
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0, c7 = a0;
        for (int j = 0; j < n; j++) {
            int v = tok[j] + 2 * d + c;
            FloatVector v0 = FloatVector.fromArray(SPECIES, qkv, v);
            FloatVector v1 = FloatVector.fromArray(SPECIES, qkv, v + L);
            FloatVector w0 = FloatVector.broadcast(SPECIES, s[0 * np + j] * inv0);
            a0 = v0.fma(w0, a0);
            c0 = v1.fma(w0, c0);
            FloatVector w1 = FloatVector.broadcast(SPECIES, s[1 * np + j] * inv1);
            a1 = v0.fma(w1, a1);
            c1 = v1.fma(w1, c1);
            FloatVector w2 = FloatVector.broadcast(SPECIES, s[2 * np + j] * inv2);
            a2 = v0.fma(w2, a2);
            c2 = v1.fma(w2, c2);
            FloatVector w3 = FloatVector.broadcast(SPECIES, s[3 * np + j] * inv3);
            a3 = v0.fma(w3, a3);
            c3 = v1.fma(w3, c3);
            FloatVector w4 = FloatVector.broadcast(SPECIES, s[4 * np + j] * inv4);
            a4 = v0.fma(w4, a4);
            c4 = v1.fma(w4, c4);
            FloatVector w5 = FloatVector.broadcast(SPECIES, s[5 * np + j] * inv5);
            a5 = v0.fma(w5, a5);
            c5 = v1.fma(w5, c5);
            FloatVector w6 = FloatVector.broadcast(SPECIES, s[6 * np + j] * inv6);
            a6 = v0.fma(w6, a6);
            c6 = v1.fma(w6, c6);
            FloatVector w7 = FloatVector.broadcast(SPECIES, s[7 * np + j] * inv7);
            a7 = v0.fma(w7, a7);
            c7 = v1.fma(w7, c7);
        }
        a0.intoArray(out, o[0] + c);
        c0.intoArray(out, o[0] + c + L);
        a1.intoArray(out, o[1] + c);
        c1.intoArray(out, o[1] + c + L);
        a2.intoArray(out, o[2] + c);
        c2.intoArray(out, o[2] + c + L);
        a3.intoArray(out, o[3] + c);
        c3.intoArray(out, o[3] + c + L);
        a4.intoArray(out, o[4] + c);
        c4.intoArray(out, o[4] + c + L);
        a5.intoArray(out, o[5] + c);
        c5.intoArray(out, o[5] + c + L);
        a6.intoArray(out, o[6] + c);
        c6.intoArray(out, o[6] + c + L);
        a7.intoArray(out, o[7] + c);
        c7.intoArray(out, o[7] + c + L);
    }

    /** {@link #mix} for channels {@code [c, c + L)}. */
    private static void mixOneVector(float[] qkv, int[] tok, int n, int d, int c, float[] s, int np, float[] out,
                                     int[] o, float[] inv) {
        float inv0 = inv[0], inv1 = inv[1], inv2 = inv[2], inv3 = inv[3], inv4 = inv[4], inv5 = inv[5], inv6 = inv[6],
                inv7 = inv[7];
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int j = 0; j < n; j++) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, qkv, tok[j] + 2 * d + c);
            a0 = v0.fma(FloatVector.broadcast(SPECIES, s[0 * np + j] * inv0), a0);
            a1 = v0.fma(FloatVector.broadcast(SPECIES, s[1 * np + j] * inv1), a1);
            a2 = v0.fma(FloatVector.broadcast(SPECIES, s[2 * np + j] * inv2), a2);
            a3 = v0.fma(FloatVector.broadcast(SPECIES, s[3 * np + j] * inv3), a3);
            a4 = v0.fma(FloatVector.broadcast(SPECIES, s[4 * np + j] * inv4), a4);
            a5 = v0.fma(FloatVector.broadcast(SPECIES, s[5 * np + j] * inv5), a5);
            a6 = v0.fma(FloatVector.broadcast(SPECIES, s[6 * np + j] * inv6), a6);
            a7 = v0.fma(FloatVector.broadcast(SPECIES, s[7 * np + j] * inv7), a7);
        }
        a0.intoArray(out, o[0] + c);
        a1.intoArray(out, o[1] + c);
        a2.intoArray(out, o[2] + c);
        a3.intoArray(out, o[3] + c);
        a4.intoArray(out, o[4] + c);
        a5.intoArray(out, o[5] + c);
        a6.intoArray(out, o[6] + c);
        a7.intoArray(out, o[7] + c);
    }
}

package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y [rows, out] = x [rows, in] W [in, out] + b} for a few rows with the Vector API on the calling thread: the
 * mask decoder's token-side products ({@link ResidentLinear}), 7 token rows or 56 head-spread rows against a weight
 * of at most a few hundred KB (PyTorch {@code F.linear(x, W^T, b)}).
 *
 * <p>Why: a call through {@code Nd4j.gemm} costs about 0.2 ms before any arithmetic and wakes OpenMP threads, and
 * OpenBLAS on the calling thread packs the whole weight for 7 rows. Here four rows share each weight load and two
 * vectors of columns stay in registers: measured one shape at a time on the 2-core Zen 4 VM (2026-12-06, medians of
 * 200 calls, weights in cache), {@code [7, 256] x [256, 128]} 6 against 35 us, {@code [7, 256] x [256, 256]} 15
 * against 64 us, {@code [56, 128] x [128, 256]} 56 against 99 us, {@code [56, 256] x [256, 128]} 46 against 82 us;
 * the MLP's {@code [7, 256] x [256, 2048]} was no faster (175 against 181 us: it streams its 2 MB weight), so
 * {@link ResidentLinear#VECTOR_MAX} leaves it to sgemm.
 *
 * <p>Numerics: each output is one chain of fused multiply-adds over {@code k} in ascending order from 0, then the
 * bias added: the same operations in every lane and in the scalar tail ({@link Math#fma}), so a row's outputs do not
 * depend on the other rows (a box decodes to the same bits alone as in a batch) nor on the vector width. Against
 * sgemm, another order of the same sums: both within 1e-6 of the sum of the terms' magnitudes of a double-precision
 * reference ({@code ResidentLinearTest}). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 */
final class VectorFewRowGemm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Rows that share each weight load. */
    private static final int ROWS = 4;

    private VectorFewRowGemm() {
    }

    /**
     * @param x    {@code [rows, in]}
     * @param w    {@code [in, out]}, row-major
     * @param bias {@code [out]}, or null
     * @param y    at least {@code rows * out} values; its first {@code rows * out} are overwritten
     */
    static void multiply(float[] x, int rows, int in, float[] w, int out, float[] bias, float[] y) {
        for (int r0 = 0; r0 < rows; r0 += ROWS) {
            int n = Math.min(ROWS, rows - r0);
            int j = 0;
            for (; j + 2 * L <= out; j += 2 * L) {
                twoVectors(x, r0, n, in, w, out, j, bias, y);
            }
            for (; j + L <= out; j += L) {
                oneVector(x, r0, n, in, w, out, j, bias, y);
            }
            for (; j < out; j++) {
                for (int r = r0; r < r0 + n; r++) {
                    float acc = 0f;
                    for (int k = 0; k < in; k++) {
                        acc = Math.fma(w[k * out + j], x[r * in + k], acc);
                    }
                    y[r * out + j] = acc + (bias == null ? 0f : bias[j]);
                }
            }
        }
    }

    /**
     * Columns {@code [j, j + 2L)} of rows {@code [r0, r0 + n)}, {@code n <= 4}: rows past the last repeat it (their
     * sums are not stored), so the loop body has no branches.
     */
    private static void twoVectors(float[] x, int r0, int n, int in, float[] w, int out, int j, float[] bias,
                                   float[] y) {
        int x0 = r0 * in;
        int x1 = (r0 + Math.min(1, n - 1)) * in;
        int x2 = (r0 + Math.min(2, n - 1)) * in;
        int x3 = (r0 + Math.min(3, n - 1)) * in;
        FloatVector a00 = FloatVector.zero(SPECIES);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int k = 0; k < in; k++) {
            int wo = k * out + j;
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, wo);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, wo + L);
            FloatVector v = FloatVector.broadcast(SPECIES, x[x0 + k]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(SPECIES, x[x1 + k]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(SPECIES, x[x2 + k]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(SPECIES, x[x3 + k]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
        }
        FloatVector b0 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.fromArray(SPECIES, bias, j);
        FloatVector b1 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.fromArray(SPECIES, bias, j + L);
        // without a bias a zero is added (it changes no sum but -0's sign): one store path, written out here so
        // that no vector is passed to a method (an out-of-line call would box it)
        int o = r0 * out + j;
        a00.add(b0).intoArray(y, o);
        a01.add(b1).intoArray(y, o + L);
        if (n > 1) {
            a10.add(b0).intoArray(y, o + out);
            a11.add(b1).intoArray(y, o + out + L);
        }
        if (n > 2) {
            a20.add(b0).intoArray(y, o + 2 * out);
            a21.add(b1).intoArray(y, o + 2 * out + L);
        }
        if (n > 3) {
            a30.add(b0).intoArray(y, o + 3 * out);
            a31.add(b1).intoArray(y, o + 3 * out + L);
        }
    }

    /** As {@link #twoVectors} for one vector of columns {@code [j, j + L)}. */
    private static void oneVector(float[] x, int r0, int n, int in, float[] w, int out, int j, float[] bias,
                                  float[] y) {
        int x0 = r0 * in;
        int x1 = (r0 + Math.min(1, n - 1)) * in;
        int x2 = (r0 + Math.min(2, n - 1)) * in;
        int x3 = (r0 + Math.min(3, n - 1)) * in;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int k = 0; k < in; k++) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, k * out + j);
            a0 = w0.fma(FloatVector.broadcast(SPECIES, x[x0 + k]), a0);
            a1 = w0.fma(FloatVector.broadcast(SPECIES, x[x1 + k]), a1);
            a2 = w0.fma(FloatVector.broadcast(SPECIES, x[x2 + k]), a2);
            a3 = w0.fma(FloatVector.broadcast(SPECIES, x[x3 + k]), a3);
        }
        FloatVector b0 = bias == null ? FloatVector.zero(SPECIES) : FloatVector.fromArray(SPECIES, bias, j);
        int o = r0 * out + j;
        a0.add(b0).intoArray(y, o);
        if (n > 1) {
            a1.add(b0).intoArray(y, o + out);
        }
        if (n > 2) {
            a2.add(b0).intoArray(y, o + 2 * out);
        }
        if (n > 3) {
            a3.add(b0).intoArray(y, o + 3 * out);
        }
    }
}

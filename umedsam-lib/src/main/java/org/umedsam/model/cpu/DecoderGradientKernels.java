package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

/**
 * Backward kernels of the CPU mask decoder on row-major heap arrays: PyTorch {@code Linear} on a few
 * rows, LayerNorm (forward with its tape, and backward), softmax and ReLU derivatives (GELU's is {@link Gelu#derivative}).
 */
final class DecoderGradientKernels {

    /** Partial sums a LayerNorm backward row's means run in ({@link #layerNormBackward}). */
    static final int ROW_PARTIALS = 16;

    private DecoderGradientKernels() {
    }

    /**
     * Backward of {@code y = x W^T + b} for a few rows ({@link Linear}): {@code dW += dy^T x},
     * {@code db += sum_rows dy} into the sums of {@code prefix.weight/.bias}.
     *
     * @param x  the layer's input {@code [rows, in]}
     * @param dy {@code [rows, out]}
     * @return {@code dx = dy W} {@code [rows, in]}
     */
    static float[] linear(Linear lin, String prefix, float[] x, float[] dy, int rows, GradientSums g) {
        int in = lin.in;
        int out = lin.out;
        float[] dw = g.of(prefix + ".weight", out * in);
        float[] db = g.of(prefix + ".bias", out);
        float[] w = lin.weight;
        float[] dx = new float[rows * in];
        ChunkedParallel.parallel(out, rows * in * 2, (from, to) -> {
            for (int o = from; o < to; o++) {
                int wo = o * in;
                for (int r = 0; r < rows; r++) {
                    float d = dy[r * out + o];
                    if (d == 0f) {
                        continue;
                    }
                    db[o] += d;
                    int xo = r * in;
                    for (int i = 0; i < in; i++) {
                        dw[wo + i] += d * x[xo + i];
                    }
                }
            }
        });
        for (int r = 0; r < rows; r++) {
            int xo = r * in;
            for (int o = 0; o < out; o++) {
                float d = dy[r * out + o];
                if (d == 0f) {
                    continue;
                }
                int wo = o * in;
                for (int i = 0; i < in; i++) {
                    dx[xo + i] += d * w[wo + i];
                }
            }
        }
        return dx;
    }

    /** {@code dy *= (y > 0)}: ReLU backward given the ReLU's output {@code y}. */
    static void relu(float[] y, float[] dy) {
        for (int i = 0; i < dy.length; i++) {
            if (y[i] <= 0f) {
                dy[i] = 0f;
            }
        }
    }

    /**
     * LayerNorm of each row of {@code x [rows, dim]} in place ({@link LayerNorm#row}), keeping the
     * normalised values {@code xhat [rows, dim]} and {@code inv = 1/sqrt(var + eps) [rows]} unless both are null
     * (the same output either way).
     */
    static void layerNorm(float[] x, int rows, int dim, float[] w, float[] b, float eps, float[] xhat, float[] inv) {
        ChunkedParallel.parallel(rows, dim * 6, (from, to) -> {
            for (int r = from; r < to; r++) {
                LayerNorm.row(x, r * dim, x, r * dim, dim, w, b, eps, xhat, inv, r);
            }
        });
    }

    /**
     * LayerNorm backward, {@code dy [rows, dim]} replaced in place by dx:
     * {@code dx = inv (g - mean(g) - xhat mean(g xhat))} with {@code g = dy w}; {@code dw += sum dy xhat},
     * {@code db += sum dy} into the sums of {@code prefix.weight/.bias}. A row's two sums run as
     * {@value #ROW_PARTIALS} partial sums (value {@code i} into partial {@code i mod 16}, in order), then the partials
     * in index order: the order the Vector API's lanes give ({@link VectorGradientRows#layerNormBackward}, used for
     * rows of whole vectors), so both paths give the same bits and the sums pipeline.
     */
    static void layerNormBackward(float[] dy, int rows, int dim, float[] w, float[] xhat, float[] inv, String prefix,
                                  GradientSums g) {
        float[] dw = g.of(prefix + ".weight", dim);
        float[] db = g.of(prefix + ".bias", dim);
        ChunkedParallel.OrderedMerge lock = new ChunkedParallel.OrderedMerge();
        boolean vector = VectorSupport.enabled() && VectorGradientRows.supportsLayerNorm(dim);
        ChunkedParallel.parallel(rows, dim * 8, (from, to) -> {
            float[] ldw = new float[dim];
            float[] ldb = new float[dim];
            float[] partial = new float[2 * ROW_PARTIALS];
            for (int r = from; r < to; r++) {
                if (vector) {
                    VectorGradientRows.layerNormBackward(dy, xhat, r * dim, dim, w, inv[r], ldw, ldb, partial);
                    continue;
                }
                int o = r * dim;
                java.util.Arrays.fill(partial, 0f);
                for (int i0 = 0; i0 < dim; i0 += ROW_PARTIALS) {
                    for (int j = 0, end = Math.min(ROW_PARTIALS, dim - i0); j < end; j++) {
                        int i = i0 + j;
                        float d = dy[o + i];
                        float h = xhat[o + i];
                        ldw[i] += d * h;
                        ldb[i] += d;
                        float gi = d * w[i];
                        partial[j] += gi;
                        partial[ROW_PARTIALS + j] += gi * h;
                    }
                }
                float mg = partialSum(partial, 0) / dim;
                float mgx = partialSum(partial, ROW_PARTIALS) / dim;
                float iv = inv[r];
                for (int i = 0; i < dim; i++) {
                    dy[o + i] = iv * (dy[o + i] * w[i] - mg - xhat[o + i] * mgx);
                }
            }
            lock.add(from, () -> {
                for (int i = 0; i < dim; i++) {
                    dw[i] += ldw[i];
                    db[i] += ldb[i];
                }
            });
        });
        lock.run();
    }

    /**
     * Softmax backward over {@code count} segments of {@code len} values, for {@code p = softmax(scale * s)}
     * read from {@code pOff}: {@code dp} (dLoss/dp, from {@code dOff}) is replaced by dLoss/ds =
     * {@code scale p (dp - sum(p dp))}.
     */
    static void softmax(float[] p, int pOff, float[] dp, int dOff, int count, int len, float scale) {
        for (int sg = 0; sg < count; sg++) {
            int po = pOff + sg * len;
            int o = dOff + sg * len;
            float dot = 0;
            for (int i = 0; i < len; i++) {
                dot += p[po + i] * dp[o + i];
            }
            for (int i = 0; i < len; i++) {
                dp[o + i] = scale * p[po + i] * (dp[o + i] - dot);
            }
        }
    }

    /**
     * The {@value #ROW_PARTIALS} partial sums from {@code partial[from]} added in index order: how both paths of
     * {@link #layerNormBackward} finish a row's sums, so they give the same bits.
     */
    static float partialSum(float[] partial, int from) {
        float sum = 0;
        for (int j = from; j < from + ROW_PARTIALS; j++) {
            sum += partial[j];
        }
        return sum;
    }

    /**
     * {@code sums[j] += sum_i x[i, j]} for {@code x [rows, cols]}: a bias gradient. Parallel, with the
     * chunks' partial sums merged in chunk order ({@link ChunkedParallel.OrderedMerge}); rows of whole vectors
     * through {@link VectorGradientRows#addRow}, the same bits.
     */
    static void columnSums(float[] x, int rows, int cols, float[] sums) {
        ChunkedParallel.OrderedMerge merge = new ChunkedParallel.OrderedMerge();
        boolean vector = VectorSupport.enabled() && VectorGradientRows.supports(cols);
        ChunkedParallel.parallel(rows, cols, (from, to) -> {
            float[] s = new float[cols];
            for (int r = from; r < to; r++) {
                int o = r * cols;
                if (vector) {
                    VectorGradientRows.addRow(s, x, o, cols); // the same operations, the same bits
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    s[j] += x[o + j];
                }
            }
            merge.add(from, () -> {
                for (int j = 0; j < cols; j++) {
                    sums[j] += s[j];
                }
            });
        });
        merge.run();
    }
}

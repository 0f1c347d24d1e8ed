package org.umedsam.model.cpu;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * PyTorch {@code Linear} on heap rows: {@code y[rows, out] = x[rows, in] W^T + b}, then an
 * {@link Activation}.
 *
 * <p>Many rows (the encoder's tokens): the product is {@link Gemm} on blocks of rows
 * ({@link #PRODUCT_FLOATS}), and the bias/activation pass runs per row on an offset-0 copy, which C2
 * vectorises. A few rows (the decoder's prompt/output tokens): a BLAS
 * call costs more than it saves (the weight would be staged off-heap on every call), so rows are
 * computed as {@code y_row = b + sum_i x_i Wt[i, :]} over a transposed copy of the weight, a loop the
 * JIT vectorises.
 */
final class Linear {

    /** Up to this many rows take the row loop, more take {@link Gemm}. */
    static final int FEW_ROWS = 16;
    /**
     * Input plus output floats per product when there are many rows (8 MB): the rows are split into products
     * this size so that their staging copies and the bias/activation pass stay in the 32 MB L3.
     */
    static final int PRODUCT_FLOATS = 1 << 21;
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    private static final int ELEMENTS_PER_TASK = 1 << 15;
    /** Output columns per block of the row loop: a block of every row's outputs stays in L1 while the weight streams. */
    private static final int BLOCK = 128;

    /** {@code [out, in]}, PyTorch layout. */
    final float[] weight;
    /** {@code [out]}, or null. */
    final float[] bias;
    final int in;
    final int out;
    /**
     * {@code [in, out]}, made on first use by the row loop: several linears are only read through
     * {@link #weight} (the folded cross attentions, the encoder's GEMMs), and snapshotting weights should
     * stay cheap. Racing threads compute identical copies, so a plain volatile suffices.
     */
    private volatile float[] weightT;

    /**
     * @param weight {@code [out, in]}
     * @param bias   {@code [out]}, or null
     */
    Linear(float[] weight, float[] bias, int in, int out) {
        this.weight = weight;
        this.bias = bias;
        this.in = in;
        this.out = out;
    }

    /** Reads {@code prefix.weight} {@code [out, in]} and, when {@code withBias}, {@code prefix.bias}. */
    static Linear read(StateDictWeights w, String prefix, int in, int out, boolean withBias) {
        return new Linear(w.get(prefix + ".weight", out, in), withBias ? w.get(prefix + ".bias", out) : null, in, out);
    }

    /** {@code y[rows, out] = act(x[rows, in] W^T + b)}. */
    void apply(float[] x, int rows, float[] y, Activation act) {
        if (rows <= FEW_ROWS) {
            fewRows(x, rows, y, act);
            return;
        }
        // products of a few thousand rows: their staging copies and the bias pass hit cache, not memory
        int chunks = (int) (((long) rows * (in + out) + PRODUCT_FLOATS - 1) / PRODUCT_FLOATS);
        int per = (rows + chunks - 1) / chunks;
        for (int r0 = 0; r0 < rows; r0 += per) {
            int n = Math.min(per, rows - r0);
            Gemm.multiply(x, r0 * in, n, in, weight, 0, out, true, y, r0 * out);
            if (bias != null || act != Activation.NONE) {
                addBias(y, r0, n, out, bias, act);
            }
        }
    }

    /** As {@link #apply(float[], int, float[], Activation)} into a new array. */
    float[] apply(float[] x, int rows, Activation act) {
        float[] y = new float[rows * out];
        apply(x, rows, y, act);
        return y;
    }

    /** {@code y[r, :] += bias} (bias may be null), then {@code act}; parallel over rows. */
    private static void addBias(float[] y, int rows, int n, float[] bias, Activation act) {
        addBias(y, 0, rows, n, bias, act);
    }

    /** {@code y[r, :] += bias} (bias may be null), then {@code act}, for rows {@code [row0, row0 + rows)}; parallel. */
    static void addBias(float[] y, int row0, int rows, int n, float[] bias, Activation act) {
        int per = Math.max(1, ELEMENTS_PER_TASK / n);
        int tasks = (rows + per - 1) / per;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            float[] row = ROW.get();
            if (row.length < n) {
                row = new float[n];
                ROW.set(row);
            }
            int r1 = row0 + Math.min(rows, (t + 1) * per);
            for (int r = row0 + t * per; r < r1; r++) {
                int o = r * n;
                if (bias != null) {
                    System.arraycopy(y, o, row, 0, n);
                    for (int j = 0; j < n; j++) {
                        row[j] += bias[j];
                    }
                    activate(row, 0, n, act);
                    System.arraycopy(row, 0, y, o, n);
                } else {
                    activate(y, o, o + n, act);
                }
            }
        });
    }

    private static void activate(float[] y, int from, int to, Activation act) {
        if (act == Activation.GELU) {
            Gelu.apply(y, from, to - from);
        } else if (act == Activation.RELU) {
            for (int i = from; i < to; i++) {
                y[i] = Math.max(y[i], 0f);
            }
        }
    }

    private float[] transposed() {
        float[] t = weightT;
        if (t == null) {
            t = new float[in * out];
            for (int o = 0; o < out; o++) {
                int src = o * in;
                for (int i = 0; i < in; i++) {
                    t[i * out + o] = weight[src + i];
                }
            }
            weightT = t;
        }
        return t;
    }

    private void fewRows(float[] x, int rows, float[] y, Activation act) {
        float[] wt = transposed();
        int blocks = (out + BLOCK - 1) / BLOCK;
        ChunkedParallel.parallel(blocks, rows * in * Math.min(out, BLOCK) / 8, (from, to) -> {
            for (int bl = from; bl < to; bl++) {
                int o0 = bl * BLOCK;
                int o1 = Math.min(out, o0 + BLOCK);
                for (int r = 0; r < rows; r++) {
                    if (bias != null) {
                        System.arraycopy(bias, o0, y, r * out + o0, o1 - o0);
                    } else {
                        Arrays.fill(y, r * out + o0, r * out + o1, 0f);
                    }
                }
                for (int i = 0; i < in; i++) {
                    int wo = i * out;
                    for (int r = 0; r < rows; r++) {
                        float xv = x[r * in + i];
                        int yo = r * out;
                        for (int o = o0; o < o1; o++) {
                            y[yo + o] += xv * wt[wo + o];
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    activate(y, r * out + o0, r * out + o1, act);
                }
            }
        });
    }
}

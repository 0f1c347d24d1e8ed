package org.umedsam.model.cpu;

import java.util.Arrays;

/**
 * PyTorch {@code Linear} on heap rows: {@code y[rows, out] = x[rows, in] W^T + b}, then an
 * {@link Activation}.
 *
 * <p>Many rows (the encoder's tokens): the product is {@link Gemm} on blocks of rows
 * ({@link #PRODUCT_FLOATS}), the bias, a residual and the activation applied while each output row is copied
 * back ({@link Gemm#multiplyBiasActivation}). A few rows (the decoder's prompt/output tokens): a BLAS
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
        apply(x, rows, null, y, act);
    }

    /**
     * {@code y[rows, out] = (x[rows, in] W^T + b) + residual[rows, out]}, a block's last product and its skip
     * connection in one pass over the output; {@code y} may be {@code residual}.
     */
    void applyResidual(float[] x, int rows, float[] residual, float[] y) {
        apply(x, rows, residual, y, Activation.NONE);
    }

    private void apply(float[] x, int rows, float[] residual, float[] y, Activation act) {
        if (rows <= FEW_ROWS) {
            float[] product = residual == null ? y : new float[rows * out];
            fewRows(x, rows, product, residual == null ? act : Activation.NONE);
            if (residual != null) {
                for (int i = 0; i < rows * out; i++) {
                    y[i] = product[i] + residual[i];
                }
                act.apply(y, 0, rows * out);
            }
            return;
        }
        int per = rowsPerProduct(rows);
        for (int r0 = 0; r0 < rows; r0 += per) {
            int n = Math.min(per, rows - r0);
            Gemm.multiplyBiasActivation(x, r0 * in, n, in, weight, out, bias, residual, r0 * out, act, y, r0 * out);
        }
    }

    /**
     * The rows of each product when {@code rows} many take {@link Gemm} (the last product takes the rest): products
     * of a few thousand rows, whose staging copies and bias pass hit cache, not memory.
     */
    int rowsPerProduct(int rows) {
        int chunks = (int) (((long) rows * (in + out) + PRODUCT_FLOATS - 1) / PRODUCT_FLOATS);
        return (rows + chunks - 1) / chunks;
    }

    /** As {@link #apply(float[], int, float[], Activation)} into a new array. */
    float[] apply(float[] x, int rows, Activation act) {
        float[] y = new float[rows * out];
        apply(x, rows, y, act);
        return y;
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
                    act.apply(y, r * out + o0, o1 - o0);
                }
            }
        });
    }
}

package org.umedsam.model.cpu;

/**
 * A PyTorch {@code Linear} ({@code y = x W^T + b}, {@code W [out, in]}) for the few prompt/output tokens
 * of the mask decoder. With a handful of rows a BLAS call costs more than it saves (the weight would be
 * staged off-heap on every call), so rows are computed here as {@code y_row = b + sum_i x_i Wt[i, :]}
 * over a transposed copy of the weight, a loop the JIT vectorises.
 */
final class DecoderLinear {

    /** {@code [out, in]}, PyTorch layout. */
    final float[] weight;
    /** {@code [out]}. */
    final float[] bias;
    final int in;
    final int out;
    /**
     * {@code [in, out]}, made on first use: several linears are only read through {@link #weight} (the
     * folded cross attentions), and snapshotting weights should stay cheap. Racing threads compute
     * identical copies, so a plain volatile suffices.
     */
    private volatile float[] weightT;

    DecoderLinear(float[] weight, float[] bias, int in, int out) {
        this.weight = weight;
        this.bias = bias;
        this.in = in;
        this.out = out;
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

    /** Output columns per block: a block of every row's outputs stays in L1 while the weight streams. */
    private static final int BLOCK = 128;

    /** {@code y[rows, out] = x[rows, in] W^T + b}; {@code relu} clamps at zero afterwards. */
    void apply(float[] x, int rows, float[] y, boolean relu) {
        float[] weightT = transposed();
        int blocks = (out + BLOCK - 1) / BLOCK;
        DecoderKernels.parallel(blocks, rows * in * Math.min(out, BLOCK) / 8, (from, to) -> {
            for (int bl = from; bl < to; bl++) {
                int o0 = bl * BLOCK;
                int o1 = Math.min(out, o0 + BLOCK);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(bias, o0, y, r * out + o0, o1 - o0);
                }
                for (int i = 0; i < in; i++) {
                    int wo = i * out;
                    for (int r = 0; r < rows; r++) {
                        float xv = x[r * in + i];
                        int yo = r * out;
                        for (int o = o0; o < o1; o++) {
                            y[yo + o] += xv * weightT[wo + o];
                        }
                    }
                }
                if (relu) {
                    for (int r = 0; r < rows; r++) {
                        int yo = r * out;
                        for (int o = o0; o < o1; o++) {
                            y[yo + o] = Math.max(y[yo + o], 0f);
                        }
                    }
                }
            }
        });
    }

    /** As {@link #apply} into a new array. */
    float[] apply(float[] x, int rows, boolean relu) {
        float[] y = new float[rows * out];
        apply(x, rows, y, relu);
        return y;
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.util.Arrays;

/**
 * Backward of the bias-free depthwise 3x3 convolution with zero padding 1 ({@link DepthwiseConv3x3}, PyTorch
 * {@code Conv2d(C, C, 3, stride, 1, groups=C, bias=False)}), weight in PyTorch's layout {@code [C, 1, 3, 3]}
 * flattened as {@code [C, 9]} (tap {@code ky*3+kx}).
 *
 * <p>With {@code y[o] = sum_t w[t] x[o*stride + t - 1]} (per axis): {@code dW[c, ky, kx] = sum_{oy,ox}
 * dy[c, oy, ox] x[c, oy*s+ky-1, ox*s+kx-1]} and {@code dx[c, iy, ix] = sum w[c, ky, kx] dy[c, oy, ox]} over the
 * taps with {@code oy*s+ky-1 = iy}, {@code ox*s+kx-1 = ix}. At stride 1 the latter is the forward convolution of
 * {@code dy} with the kernel rotated by 180 degrees, so it runs on {@link DepthwiseConv3x3}'s kernels.
 *
 * <p>Channel-last maps only, as the MBConv stage trains. Bit-reproducible whatever the thread timing: {@code dx}
 * is one task per input row; {@code dW} sums fixed chunks of output rows and merges the chunks' partials in chunk
 * order. Like the forward, inner loops run over offset-0 row buffers so C2 vectorises
 * them. Weight sums are kept in float row lanes (at most {@value #FLUSH} terms each before they are moved on)
 * and finished in double.
 */
final class DepthwiseConv3x3Gradient {

    /** Rows a float lane takes before it is flushed. */
    private static final int FLUSH = 16;
    /** Output rows per channel-last weight-gradient task (fixed: the merge order must not depend on threads). */
    private static final int CHUNK_ROWS = 16;

    private static final RowBuffers ROWS = new RowBuffers(4);
    /**
     * Per thread: the weight gradient's nine tap lanes and its two gathered rows. Kept, not allocated per chunk:
     * nine {@code [out*C]} lanes per chunk of 16 rows were a third of the heap a LiteMedSAM training step allocated
     * (about 260 MB a step at batch 2, JFR's allocation samples, 2026-12-08), and so of its young collections.
     */
    private static final RowBuffers LANES = new RowBuffers(11);

    private DepthwiseConv3x3Gradient() {
    }

    /** any stride (1 or 2), channel-last: x [side, side, C], dy [out, out, C] with out = DepthwiseConv3x3.outputSide(side, stride);
     *  dx OVERWRITTEN [side, side, C]; dWeight [C*9] (PyTorch layout, NOT tap-major) ACCUMULATED (+=). */
    static void hwc(float[] x, float[] dy, int side, int channels, int stride, float[] weight, float[] dx,
                    float[] dWeight) {
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("stride " + stride + " is not supported (1 or 2)");
        }
        if (side <= 0 || channels <= 0) {
            throw new IllegalArgumentException("side " + side + " and channels " + channels + " must be positive");
        }
        int out = DepthwiseConv3x3.outputSide(side, stride);
        requireLength(x, "x", side * side * channels);
        requireLength(dy, "dy", out * out * channels);
        requireLength(dx, "dx", side * side * channels);
        requireLength(weight, "weight", channels * 9);
        requireLength(dWeight, "dWeight", channels * 9);
        requireDistinct(dx, x, dy);
        if (stride == 1) {
            DepthwiseConv3x3.hwc(dy, dx, side, channels, 1, tapMajor(rotated(weight, channels), channels),
                    new float[channels], false);
        } else {
            inputGradientStride2(dy, side, channels, out, weight, dx);
        }
        weightGradientHwc(x, dy, side, channels, stride, out, dWeight);
    }

    /**
     * Stride-2 dx, one task per input row. Input column {@code 2n} takes tap {@code kx = 1} of output column
     * {@code n}; column {@code 2n+1} takes {@code kx = 0} of column {@code n+1} and {@code kx = 2} of column
     * {@code n}; rows likewise ({@code iy = 2m}: ky 1 of row m; {@code 2m+1}: ky 0 of row m+1, ky 2 of row m).
     * Even and odd columns are accumulated in separate offset-0 rows over output columns, then interleaved.
     */
    private static void inputGradientStride2(float[] dy, int side, int channels, int out, float[] weight, float[] dx) {
        int c = channels;
        int len = out * c;
        int odd = side / 2; // odd input columns 2n+1 < side
        float[][] tiles = tiled(weight, channels, out);
        ChunkedParallel.forEach(side, iy -> {
            float[][] r = ROWS.get(len);
            float[] even = r[0];
            float[] oddAcc = r[1];
            float[] row = r[2];
            float[] next = r[3]; // row shifted one pixel left: next[n] = row[n + 1], 0 at n = out - 1
            Arrays.fill(even, 0, len, 0f);
            Arrays.fill(oddAcc, 0, len, 0f);
            for (int ky = 0; ky < 3; ky++) {
                int t = iy + 1 - ky;
                if ((t & 1) != 0 || t < 0 || t / 2 >= out) {
                    continue;
                }
                int oy = t / 2;
                System.arraycopy(dy, oy * len, row, 0, len);
                System.arraycopy(row, c, next, 0, len - c);
                Arrays.fill(next, len - c, len, 0f);
                float[] w0 = tiles[ky * 3];
                float[] w1 = tiles[ky * 3 + 1];
                float[] w2 = tiles[ky * 3 + 2];
                for (int i = 0; i < len; i++) {
                    even[i] += w1[i] * row[i];
                }
                int oddLen = odd * c;
                for (int i = 0; i < oddLen; i++) {
                    oddAcc[i] += w2[i] * row[i] + w0[i] * next[i];
                }
            }
            int rowOff = iy * side * c;
            for (int n = 0; n < out; n++) {
                System.arraycopy(even, n * c, dx, rowOff + 2 * n * c, c);
            }
            for (int n = 0; n < odd; n++) {
                System.arraycopy(oddAcc, n * c, dx, rowOff + (2 * n + 1) * c, c);
            }
        });
    }

    /**
     * Channel-last dW: fixed chunks of {@value #CHUNK_ROWS} output rows; per tap a float lane over the output
     * row ({@code [out*C]}) takes the chunk's rows, then is summed over columns in double into the chunk's
     * partial {@code [9, C]}; partials are added in chunk order.
     */
    private static void weightGradientHwc(float[] x, float[] dy, int side, int channels, int stride, int out,
                                          float[] dWeight) {
        int c = channels;
        int len = out * c;
        int chunks = (out + CHUNK_ROWS - 1) / CHUNK_ROWS;
        double[][] partial = new double[chunks][];
        boolean vector = VectorSupport.enabled() && VectorDepthwiseRows.supports(c);
        ChunkedParallel.forEach(chunks, k -> {
            float[][] rows = LANES.get(len);
            float[][] lane = Arrays.copyOf(rows, 9);
            for (float[] a : lane) {
                Arrays.fill(a, 0, len, 0f);
            }
            if (vector) { // the same bits, without the gathered rows
                VectorDepthwiseRows.weightLanes(x, dy, side, c, stride, out, k * CHUNK_ROWS,
                        Math.min(out, k * CHUNK_ROWS + CHUNK_ROWS), lane);
                partial[k] = laneSums(lane, out, c);
                return;
            }
            float[] in = rows[9];
            float[] d = rows[10];
            for (int oy = k * CHUNK_ROWS, end = Math.min(out, oy + CHUNK_ROWS); oy < end; oy++) {
                System.arraycopy(dy, oy * len, d, 0, len);
                for (int ky = 0; ky < 3; ky++) {
                    int rowOff = DepthwiseConv3x3.tapRowOffset(oy, ky, stride, side, c);
                    if (rowOff < 0) {
                        continue;
                    }
                    for (int kx = 0; kx < 3; kx++) {
                        DepthwiseConv3x3.gatherRow(x, rowOff, side, c, stride, out, kx, in);
                        float[] a = lane[ky * 3 + kx];
                        for (int i = 0; i < len; i++) {
                            a[i] += d[i] * in[i];
                        }
                    }
                }
            }
            partial[k] = laneSums(lane, out, c);
        });
        double[] sum = new double[9 * c];
        for (double[] p : partial) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += p[i];
            }
        }
        for (int ch = 0; ch < c; ch++) {
            for (int t = 0; t < 9; t++) {
                dWeight[ch * 9 + t] += (float) sum[t * c + ch];
            }
        }
    }

    /** A chunk's partial {@code [9, C]}: each tap's lane summed over the output columns in double. */
    private static double[] laneSums(float[][] lane, int out, int c) {
        double[] p = new double[9 * c];
        for (int t = 0; t < 9; t++) {
            float[] a = lane[t];
            for (int ox = 0; ox < out; ox++) {
                int o = ox * c;
                for (int ch = 0; ch < c; ch++) {
                    p[t * c + ch] += a[o + ch];
                }
            }
        }
        return p;
    }

    /** The kernel rotated by 180 degrees, {@code [C, 9]}: tap {@code t} becomes tap {@code 8 - t}. */
    private static float[] rotated(float[] weight, int channels) {
        float[] r = new float[channels * 9];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < 9; t++) {
                r[c * 9 + 8 - t] = weight[c * 9 + t];
            }
        }
        return r;
    }

    /** {@code [C, 9]} to tap-major {@code [9, C]}. */
    private static float[] tapMajor(float[] weight, int channels) {
        float[] t = new float[9 * channels];
        for (int c = 0; c < channels; c++) {
            for (int k = 0; k < 9; k++) {
                t[k * channels + c] = weight[c * 9 + k];
            }
        }
        return t;
    }

    /** Per tap, the channel weights repeated along an output row: {@code [9][out*C]}. */
    private static float[][] tiled(float[] weight, int channels, int out) {
        float[][] tiles = new float[9][out * channels];
        for (int t = 0; t < 9; t++) {
            for (int ch = 0; ch < channels; ch++) {
                float v = weight[ch * 9 + t];
                for (int ox = 0; ox < out; ox++) {
                    tiles[t][ox * channels + ch] = v;
                }
            }
        }
        return tiles;
    }

    private static void requireDistinct(float[] dx, float[] x, float[] dy) {
        if (dx == x || dx == dy) {
            throw new IllegalArgumentException("dx must be a separate array from x and dy");
        }
    }

    private static void requireLength(float[] a, String name, int n) {
        if (a == null || a.length < n) {
            throw new IllegalArgumentException(name + " has " + (a == null ? "no array" : a.length + " values")
                    + ", needs " + n);
        }
    }
}

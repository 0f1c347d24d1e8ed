package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.util.Arrays;

/**
 * Depthwise 3x3 convolution with zero padding 1 plus a per-channel bias (PyTorch {@code Conv2d(C, C, 3,
 * stride, 1, groups=C)}), on channel-last heap maps (the MBConv stage runs channel-last, in inference and training).
 * Output side {@code (side + 2 - 3) / stride + 1}.
 *
 * <p>Inner loops run over offset-0 row buffers (gathered input rows, an accumulator row), the form C2 vectorises;
 * indexing the flat maps at different offsets directly keeps it scalar.
 */
public final class DepthwiseConv3x3 {

    /** Per thread: an accumulator row and up to three input rows. */
    private static final RowBuffers ROWS = new RowBuffers(4);
    /** Floats per segment of an output row in {@link #hwcBand}: its accumulator, input and tap rows fit in L1. */
    static final int SEGMENT_FLOATS = 4096;

    private DepthwiseConv3x3() {
    }

    /** Output side for an input side and stride. */
    public static int outputSide(int side, int stride) {
        return (side + 2 - 3) / stride + 1;
    }

    /**
     * Where tap row {@code ky} of output row {@code oy} reads a channel-last map {@code [side, side, C]}: the
     * offset of input row {@code oy * stride + ky - 1}, or -1 when that row is the zero padding (padding 1).
     * Shared by the forward ({@link #hwc}) and its weight gradient.
     */
    static int tapRowOffset(int oy, int ky, int stride, int side, int c) {
        int iy = oy * stride + ky - 1;
        return iy < 0 || iy >= side ? -1 : iy * side * c;
    }

    /**
     * Any stride on a channel-last map {@code x [H, W, C] -> y [H', W', C]}, then GELU when asked; parallel
     * over output rows. With the Vector API on ({@link VectorSupport#enabled()}) and whole vectors of channels, by
     * {@link VectorDepthwiseRows}: the same operations in the same order, the same bits.
     *
     * @param tapMajor {@code [9, C]}: tap {@code ky*3+kx}, then channel
     */
    public static void hwc(float[] x, float[] y, int side, int channels, int stride, float[] tapMajor, float[] bias,
                           boolean gelu) {
        if (VectorSupport.enabled() && VectorDepthwiseRows.supports(channels)) {
            VectorDepthwiseRows.hwc(x, y, side, channels, stride, tapMajor, bias, gelu); // the same bits
            return;
        }
        int out = outputSide(side, stride);
        int c = channels;
        int len = out * c;
        // weights and bias tiled along an output row, so a row is one flat vector op per tap
        float[][] taps = new float[9][len];
        float[] biasRow = new float[len];
        for (int ox = 0; ox < out; ox++) {
            for (int t = 0; t < 9; t++) {
                System.arraycopy(tapMajor, t * c, taps[t], ox * c, c);
            }
            System.arraycopy(bias, 0, biasRow, ox * c, c);
        }
        ChunkedParallel.forEach(out, oy -> {
            float[][] r = ROWS.get(len);
            float[] acc = r[0];
            float[] in = r[1];
            System.arraycopy(biasRow, 0, acc, 0, len);
            for (int ky = 0; ky < 3; ky++) {
                int rowOff = tapRowOffset(oy, ky, stride, side, c);
                if (rowOff < 0) {
                    continue;
                }
                for (int kx = 0; kx < 3; kx++) {
                    gatherRow(x, rowOff, side, c, stride, out, kx, in);
                    float[] wt = taps[ky * 3 + kx];
                    for (int i = 0; i < len; i++) {
                        acc[i] += wt[i] * in[i];
                    }
                }
            }
            int o = oy * len;
            System.arraycopy(acc, 0, y, o, len);
            if (gelu) {
                Gelu.apply(y, o, len);
            }
        });
    }

    /** The row of {@link #tiledTaps} that holds zeros. */
    static final int ZERO_ROW = 10;

    /**
     * Bias and taps of a stride-1 {@link #hwcBand} tiled along a segment of {@code pixels} pixels:
     * {@code [11][pixels * C]}, tap {@code ky*3+kx} at index {@code ky*3+kx}, the bias at 9, zeros at
     * {@link #ZERO_ROW} (the taps of a row in the padding, for {@link VectorDepthwiseConv3x3}).
     *
     * @param tapMajor {@code [9, C]}: tap {@code ky*3+kx}, then channel
     */
    static float[][] tiledTaps(float[] tapMajor, float[] bias, int channels, int pixels) {
        float[][] t = new float[ZERO_ROW + 1][pixels * channels];
        for (int p = 0; p < pixels; p++) {
            for (int k = 0; k < 9; k++) {
                System.arraycopy(tapMajor, k * channels, t[k], p * channels, channels);
            }
            System.arraycopy(bias, 0, t[9], p * channels, channels);
        }
        return t;
    }

    /**
     * Output rows {@code [row0, row1)} of a stride-1 depthwise 3x3 convolution (padding 1) plus bias on a
     * channel-last map {@code [height, width, C]}, then GELU when asked, into {@code y} from {@code yOff}
     * ({@code (row1 - row0) * width * C} values). {@code x} holds the map from image row {@code firstRow} on
     * (its row 0), at least rows {@code row0 - 1 .. row1} where inside the map: a band of a map that is
     * produced band by band. Parallel over segments of {@code tiled[0].length / C} pixels of an output row,
     * so the rows the inner loops stream stay in L1 however wide the map.
     *
     * @param tiled {@link #tiledTaps} for the segment length
     */
    static void hwcBand(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                        float[][] tiled, boolean gelu, float[] y, int yOff) {
        hwcBand(x, firstRow, height, width, channels, row0, row1, tiled, gelu,
                (index, src, len) -> System.arraycopy(src, 0, y, yOff + index, len));
    }

    /**
     * As {@link #hwcBand(float[], int, int, int, int, int, int, float[][], boolean, float[], int)}, into an off-heap
     * buffer from index 0 (grown as needed): the input of the product that follows, written a segment at a time
     * instead of to the heap and then staged off-heap.
     */
    static void hwcBand(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                        float[][] tiled, boolean gelu, NativeFloats y) {
        y.ensure((long) (row1 - row0) * width * channels);
        hwcBand(x, firstRow, height, width, channels, row0, row1, tiled, gelu,
                (index, src, len) -> y.put(index, src, 0, len));
    }

    /** Takes a finished segment: {@code src[0, len)} are the band's outputs from {@code index} on. */
    @FunctionalInterface
    interface SegmentWriter {
        void write(int index, float[] src, int len);
    }

    private static void hwcBand(float[] x, int firstRow, int height, int width, int channels, int row0, int row1,
                                float[][] tiled, boolean gelu, SegmentWriter out) {
        int c = channels;
        forEachSegment(width, c, tiled, row0, row1, (oy, p0, p1) -> {
            int np = p1 - p0;
            int len = np * c;
            float[][] r = ROWS.get(len);
            float[] acc = r[0];
            float[] in0 = r[1];
            float[] in1 = r[2];
            float[] in2 = r[3];
            System.arraycopy(tiled[9], 0, acc, 0, len);
            for (int ky = 0; ky < 3; ky++) {
                int iy = oy + ky - 1;
                if (iy < 0 || iy >= height) {
                    continue;
                }
                int rowOff = (iy - firstRow) * width * c;
                segmentRow(x, rowOff, width, c, p0, np, 0, in0);
                segmentRow(x, rowOff, width, c, p0, np, 1, in1);
                segmentRow(x, rowOff, width, c, p0, np, 2, in2);
                // the three taps of a kernel row in one pass: a third of the accumulator loads and stores
                float[] w0 = tiled[ky * 3];
                float[] w1 = tiled[ky * 3 + 1];
                float[] w2 = tiled[ky * 3 + 2];
                for (int i = 0; i < len; i++) {
                    acc[i] += w0[i] * in0[i] + w1[i] * in1[i] + w2[i] * in2[i];
                }
            }
            if (gelu) {
                Gelu.apply(acc, 0, len);
            }
            out.write(((oy - row0) * width + p0) * c, acc, len);
        });
    }

    /** One task of {@link #forEachSegment}: output row {@code oy}, pixels {@code [p0, p1)}. */
    @FunctionalInterface
    private interface SegmentTask {
        void run(int oy, int p0, int p1);
    }

    /**
     * {@link #hwcBand}'s schedule: one task per segment of {@code tiled[0].length / C} pixels of each output row in
     * {@code [row0, row1)}, in parallel. {@link VectorDepthwiseConv3x3} runs the same tasks from lambdas of its own
     * (why there).
     */
    private static void forEachSegment(int width, int channels, float[][] tiled, int row0, int row1, SegmentTask task) {
        int segment = tiled[0].length / channels;
        int segments = (width + segment - 1) / segment;
        ChunkedParallel.forEach((row1 - row0) * segments, t -> {
            int p0 = (t % segments) * segment;
            task.run(row0 + t / segments, p0, Math.min(width, p0 + segment));
        });
    }

    /**
     * {@code in[p*C + ch] = x[row, p0 + p + kx - 1, ch]} for the {@code np} pixels of a segment (row at
     * {@code rowOff} of a {@code width}-pixel channel-last map), zero outside the map.
     */
    private static void segmentRow(float[] x, int rowOff, int width, int c, int p0, int np, int kx, float[] in) {
        int ix0 = p0 + kx - 1;
        int lo = Math.max(0, -ix0);
        int hi = Math.min(np, width - ix0);
        Arrays.fill(in, 0, lo * c, 0f);
        System.arraycopy(x, rowOff + (ix0 + lo) * c, in, lo * c, (hi - lo) * c);
        Arrays.fill(in, hi * c, np * c, 0f);
    }

    /** {@code in[ox*C + ch] = x[iy, ox*stride + kx - 1, ch]} (row at {@code rowOff}), zero outside the map. */
    static void gatherRow(float[] x, int rowOff, int side, int c, int stride, int out, int kx, float[] in) {
        int len = out * c;
        if (stride == 1) {
            int first = Math.max(0, 1 - kx);
            int last = Math.min(out - 1, side - kx);
            Arrays.fill(in, 0, first * c, 0f);
            System.arraycopy(x, rowOff + (first + kx - 1) * c, in, first * c, (last - first + 1) * c);
            Arrays.fill(in, (last + 1) * c, len, 0f);
        } else {
            for (int ox = 0; ox < out; ox++) {
                int ix = ox * stride + kx - 1;
                if (ix < 0 || ix >= side) {
                    Arrays.fill(in, ox * c, ox * c + c, 0f);
                } else {
                    System.arraycopy(x, rowOff + ix * c, in, ox * c, c);
                }
            }
        }
    }
}

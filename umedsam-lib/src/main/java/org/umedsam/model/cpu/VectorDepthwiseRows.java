package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;


/**
 * {@link DepthwiseConv3x3#hwc} (any stride, channel-last, training's depthwise convolution and its input gradient)
 * with the Vector API: <b>the same float operations in the same order for every output value</b> (the bias, then
 * {@code + tap * input} for the kernel rows inside the map in order and all three columns, a padding column's input
 * {@code +0}), so the same bits as the plain loops. Interior pixels keep one vector of channels in a register over
 * all nine taps and read the map directly; the plain loops gather each tap's shifted input row into a buffer (nine
 * copies of the map) and load and store their accumulator row per tap. A row's first and last pixels, where a
 * column can be padding, are computed by the same scalar operations.
 *
 * <p>Why: the depthwise forward and its row gathers took about 6 % of a LiteMedSAM training step's CPU samples on a
 * 2-core Zen 4 host (2026-12-06). Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}; the vector
 * code has no data-dependent choice between vectors (such a branch, first taken late, sent an inference kernel back
 * to the interpreter, where its vectors were boxed).
 */
final class VectorDepthwiseRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorDepthwiseRows() {
    }

    /** Whether {@code channels} is a whole number of vectors. */
    static boolean supports(int channels) {
        return channels % L == 0;
    }

    /**
     * {@link DepthwiseConv3x3#hwc}: {@code x [side, side, C] -> y [out, out, C]}, then GELU when asked ({@link Gelu},
     * the same bits either way); parallel over output rows.
     *
     * @param tapMajor {@code [9, C]}: tap {@code ky*3+kx}, then channel
     */
    static void hwc(float[] x, float[] y, int side, int channels, int stride, float[] tapMajor, float[] bias,
                    boolean gelu) {
        int out = DepthwiseConv3x3.outputSide(side, stride);
        int c = channels;
        int len = out * c;
        int last = interiorEnd(side, stride, out);
        ChunkedParallel.forEach(out, oy -> {
            int top = oy * stride - 1; // the input row of ky = 0
            int kyLo = Math.max(0, -top);
            int kyHi = Math.min(2, side - 1 - top);
            int o = oy * len;
            for (int ox = 1; ox < last; ox++) {
                int in = (top * side + ox * stride - 1) * c;
                for (int ch = 0; ch < c; ch += L) {
                    interiorPixel(x, side * c, in + ch, kyLo, kyHi, c, tapMajor, bias, ch, y, o + ox * c + ch);
                }
            }
            borderPixel(x, side, c, stride, top, kyLo, kyHi, 0, tapMajor, bias, y, o);
            if (last < out && out > 1) {
                borderPixel(x, side, c, stride, top, kyLo, kyHi, out - 1, tapMajor, bias, y, o + (out - 1) * c);
            }
            if (gelu) {
                Gelu.apply(y, o, len);
            }
        });
    }

    /**
     * The end of a row's interior pixels {@code [1, end)}, whose three input columns are all inside the map: the
     * first pixel always reads the left padding column, the last one reads the right padding column when
     * {@code (out - 1) * stride + 1 >= side}.
     */
    private static int interiorEnd(int side, int stride, int out) {
        return (out - 1) * stride + 1 < side ? out : out - 1;
    }

    /**
     * One vector of channels of an interior pixel: {@code in} is the channel offset of its kernel's top-left input
     * (row {@code ky = 0}, which may lie outside the map: rows outside {@code [kyLo, kyHi]} are skipped, as the plain
     * loop skips them), {@code rowStride} floats between input rows.
     */
    private static void interiorPixel(float[] x, int rowStride, int in, int kyLo, int kyHi, int c, float[] tapMajor,
                                      float[] bias, int ch, float[] y, int o) {
        FloatVector acc = FloatVector.fromArray(SPECIES, bias, ch);
        for (int ky = kyLo; ky <= kyHi; ky++) {
            int src = in + ky * rowStride;
            int tap = ky * 3 * c + ch;
            acc = acc.add(FloatVector.fromArray(SPECIES, tapMajor, tap).mul(FloatVector.fromArray(SPECIES, x, src)));
            acc = acc.add(FloatVector.fromArray(SPECIES, tapMajor, tap + c)
                    .mul(FloatVector.fromArray(SPECIES, x, src + c)));
            acc = acc.add(FloatVector.fromArray(SPECIES, tapMajor, tap + 2 * c)
                    .mul(FloatVector.fromArray(SPECIES, x, src + 2 * c)));
        }
        acc.intoArray(y, o);
    }

    /**
     * The float lanes of {@link DepthwiseConv3x3Gradient}'s weight gradient for output rows {@code [oy0, oy1)}:
     * {@code lane[ky*3+kx][ox*C + ch] += dy[oy, ox, ch] * input}, rows in order, only the kernel rows inside the map,
     * a padding column's input {@code +0}: the plain loops' operations per lane value, so the same bits, without
     * their gathered copies of each input row.
     *
     * @param lane {@code [9][out*C]}, accumulated
     */
    static void weightLanes(float[] x, float[] dy, int side, int channels, int stride, int out, int oy0, int oy1,
                            float[][] lane) {
        int c = channels;
        int len = out * c;
        int last = interiorEnd(side, stride, out);
        for (int oy = oy0; oy < oy1; oy++) {
            int top = oy * stride - 1;
            int kyLo = Math.max(0, -top);
            int kyHi = Math.min(2, side - 1 - top);
            int d = oy * len;
            for (int ky = kyLo; ky <= kyHi; ky++) {
                float[] a0 = lane[ky * 3];
                float[] a1 = lane[ky * 3 + 1];
                float[] a2 = lane[ky * 3 + 2];
                int row = (top + ky) * side;
                for (int ox = 1; ox < last; ox++) {
                    int src = (row + ox * stride - 1) * c;
                    int o = ox * c;
                    for (int ch = 0; ch < c; ch += L) {
                        interiorLanes(x, src + ch, c, dy, d + o + ch, a0, a1, a2, o + ch);
                    }
                }
                borderLanes(x, side, c, stride, row, dy, d, 0, a0, a1, a2);
                if (last < out && out > 1) {
                    borderLanes(x, side, c, stride, row, dy, d, out - 1, a0, a1, a2);
                }
            }
        }
    }

    private static void interiorLanes(float[] x, int src, int c, float[] dy, int dOff, float[] a0, float[] a1,
                                      float[] a2, int o) {
        FloatVector g = FloatVector.fromArray(SPECIES, dy, dOff);
        FloatVector.fromArray(SPECIES, a0, o).add(g.mul(FloatVector.fromArray(SPECIES, x, src))).intoArray(a0, o);
        FloatVector.fromArray(SPECIES, a1, o).add(g.mul(FloatVector.fromArray(SPECIES, x, src + c))).intoArray(a1, o);
        FloatVector.fromArray(SPECIES, a2, o).add(g.mul(FloatVector.fromArray(SPECIES, x, src + 2 * c)))
                .intoArray(a2, o);
    }

    /** {@link #weightLanes} for pixel {@code ox} of a row whose columns may be padding, by the scalar operations. */
    private static void borderLanes(float[] x, int side, int c, int stride, int row, float[] dy, int d, int ox,
                                    float[] a0, float[] a1, float[] a2) {
        int o = ox * c;
        for (int kx = 0; kx < 3; kx++) {
            float[] a = kx == 0 ? a0 : kx == 1 ? a1 : a2;
            int ix = ox * stride + kx - 1;
            boolean inside = ix >= 0 && ix < side;
            for (int ch = 0; ch < c; ch++) {
                float v = inside ? x[(row + ix) * c + ch] : 0f;
                a[o + ch] += dy[d + o + ch] * v;
            }
        }
    }

    /** Pixel {@code ox} of a row, some of whose columns may be padding, by the plain loops' scalar operations. */
    private static void borderPixel(float[] x, int side, int c, int stride, int top, int kyLo, int kyHi, int ox,
                                    float[] tapMajor, float[] bias, float[] y, int o) {
        for (int ch = 0; ch < c; ch++) {
            float acc = bias[ch];
            for (int ky = kyLo; ky <= kyHi; ky++) {
                int row = (top + ky) * side;
                for (int kx = 0; kx < 3; kx++) {
                    int ix = ox * stride + kx - 1;
                    float v = ix < 0 || ix >= side ? 0f : x[(row + ix) * c + ch];
                    acc += tapMajor[(ky * 3 + kx) * c + ch] * v;
                }
            }
            y[o + ch] = acc;
        }
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;


/**
 * The image encoder's neck for one image: 1x1 conv (no bias), LayerNorm2d, 3x3 conv (padding 1, no bias),
 * LayerNorm2d (eps 1e-6). Channel-last tokens {@code [side*side, dim]} in, channel-first
 * {@code [E, side*side]} out. On a channel-last map LayerNorm2d is a LayerNorm over each pixel's row; the
 * 3x3 conv is im2col ({@code [pixels, 9*E]}, tap-major then channel) times the weight rearranged to
 * {@code [E, ky, kx, E_in]}. The im2col rows are written off-heap, where the product reads them.
 */
final class Neck {

    private static final float EPS = (float) ModelConfig.LN2D_EPS;

    private final int in;
    private final int e;
    private final NeckWeights w;
    /** The 3x3 conv as a product of im2col rows {@code [pixels, 9*E]} with {@code w.conv2()} {@code [E, 9*E]}. */
    private final NativeLinear conv2;

    Neck(StateDictWeights weights, String prefix, int in, int e) {
        this.in = in;
        this.e = e;
        this.w = NeckWeights.read(weights, prefix, in, e);
        this.conv2 = new NativeLinear(w.conv2(), null, 9 * e, e);
    }

    /** {@code x [side*side, in]} -> {@code [E, side*side]}. */
    float[] forward(float[] x, int side, Workspace ws) {
        int px = side * side;
        float[] a = ws.get("neck.a", px * e);
        Gemm.multiply(x, 0, px, in, w.conv0(), 0, e, true, a, 0);
        LayerNorm.rows(a, 0, a, 0, px, e, w.norm1W(), w.norm1B(), EPS);
        float[] b = ws.get("neck.b", px * e);
        NativeFloats col = ws.offHeap("neck.col");
        im2col(a, side, e, col);
        NativeFloats product = ws.offHeap("neck.product");
        conv2.product(col, px, product);
        Epilogue.toHeap(product, px, e, null, null, 0, Activation.NONE, b, 0);
        LayerNorm.rows(b, 0, b, 0, px, e, w.norm3W(), w.norm3B(), EPS);
        float[] out = ws.get("neck.out", e * px);
        Transpose.apply(b, px, e, out);
        return out;
    }

    /**
     * im2col of a channel-last map {@code a [side*side, e]} for a 3x3 convolution with padding 1:
     * {@code col[p, tap, c] = a[p + tap offset, c]}, zero outside the map ({@code col} may be a reused buffer).
     */
    static void im2col(float[] a, int side, int e, float[] col) {
        im2col(a, side, e, (dst, src, off) -> System.arraycopy(src, off, col, dst, e));
    }

    /** As {@link #im2col(float[], int, int, float[])}, into an off-heap buffer from index 0 (grown as needed). */
    static void im2col(float[] a, int side, int e, NativeFloats col) {
        col.ensure((long) side * side * 9 * e);
        im2col(a, side, e, (dst, src, off) -> col.put(dst, src, off, e));
    }

    /** Writes one tap's {@code e} channels: {@code src[off, off + e)} to the columns' index {@code dst}. */
    @FunctionalInterface
    private interface TapWriter {
        void write(int dst, float[] src, int off);
    }

    private static void im2col(float[] a, int side, int e, TapWriter out) {
        float[] zeros = new float[e]; // the buffer is reused: padding taps are written as zeros
        ChunkedParallel.forEach(side, oy -> {
            for (int ox = 0; ox < side; ox++) {
                int o = (oy * side + ox) * 9 * e;
                for (int ky = 0; ky < 3; ky++) {
                    int iy = oy + ky - 1;
                    for (int kx = 0; kx < 3; kx++) {
                        int ix = ox + kx - 1;
                        boolean inside = iy >= 0 && iy < side && ix >= 0 && ix < side;
                        out.write(o + (ky * 3 + kx) * e, inside ? a : zeros, inside ? (iy * side + ix) * e : 0);
                    }
                }
            }
        });
    }
}

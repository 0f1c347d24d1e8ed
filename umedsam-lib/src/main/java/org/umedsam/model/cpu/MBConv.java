package org.umedsam.model.cpu;

/**
 * TinyViT inverted-residual block in evaluation mode, channel-last {@code [H*W, C]} for one image:
 * {@code gelu(x + conv3(gelu(dw3x3(gelu(conv1 x)))))}, each conv with its BatchNorm folded; hidden = expand * C.
 *
 * <p>Computed in bands of image rows, about {@link #TILE_PIXELS} pixels each: conv1 (with its bias and GELU) of
 * the band's rows and the row above and below it, the depthwise conv of the band, conv3 and the residual. Why:
 * on the whole 256 x 256 map the two products ({@code [256, 64] x [64, 65536]} channel-first) ran at a third of
 * the rate of the same products on 4096-pixel bands channel-last (measured), and a band's hidden maps (4 MB
 * each at 256 hidden channels) stay in cache between the steps instead of streaming 67 MB maps through memory
 * four times. The two conv1 rows a band shares with the next are carried over, not recomputed. The depthwise
 * conv writes its band off-heap, where conv3 reads it ({@link NativeLinear}), instead of to the heap for
 * {@link Gemm} to stage.
 */
final class MBConv {

    /** Pixels per band (rounded down to whole rows, at least one row). */
    static final int TILE_PIXELS = 4096;

    private final FoldedConv conv1;
    private final FoldedConv conv2;
    /** conv3, a 1x1 convolution: a product of each pixel's channels with {@code [C, hidden]}. */
    private final NativeLinear conv3;
    private final int dim;
    private final int hidden;
    /** conv2's taps and bias tiled along a depthwise segment. */
    private final float[][] conv2Tiled;
    private final DepthwiseBand depthwise;
    private final String out;

    MBConv(StateDictWeights w, String prefix, int dim, int hidden) {
        this.out = prefix + ".out";
        this.dim = dim;
        this.hidden = hidden;
        conv1 = FoldedConv.read(w, prefix + ".conv1", dim, hidden, 1, false);
        conv2 = FoldedConv.read(w, prefix + ".conv2", hidden, hidden, 3, true);
        FoldedConv c3 = FoldedConv.read(w, prefix + ".conv3", hidden, dim, 1, false);
        conv3 = new NativeLinear(c3.weight(), c3.bias(), hidden, dim);
        depthwise = DepthwiseBand.forInference(hidden);
        conv2Tiled = DepthwiseConv3x3.tiledTaps(conv2.tapMajor(), conv2.bias(), hidden,
                Math.max(1, DepthwiseConv3x3.SEGMENT_FLOATS / hidden));
    }

    /** {@code x [side*side, C]} -> new {@code [side*side, C]}. */
    float[] forward(float[] x, int side, Workspace ws) {
        int bandRows = Math.max(1, Math.min(side, TILE_PIXELS / side));
        int hiddenRow = side * hidden;
        // h1 holds image rows [heldFrom, heldTo) of gelu(conv1 x), its row 0 being heldFrom
        float[] h1 = ws.get("mbconv.h1", (bandRows + 2) * hiddenRow);
        float[] o = ws.get(this.out, side * side * dim);
        NativeFloats h2 = ws.offHeap("mbconv.h2");
        NativeFloats product = ws.offHeap("mbconv.product");
        int heldFrom = 0;
        int heldTo = 0;
        for (int row0 = 0; row0 < side; row0 += bandRows) {
            int row1 = Math.min(side, row0 + bandRows);
            int need0 = Math.max(0, row0 - 1);
            int need1 = Math.min(side, row1 + 1);
            int kept = Math.max(0, heldTo - need0);
            if (kept > 0) {
                System.arraycopy(h1, (need0 - heldFrom) * hiddenRow, h1, 0, kept * hiddenRow);
            }
            int from = need0 + kept;
            if (need1 > from) {
                int px = (need1 - from) * side;
                Gemm.multiplyBiasActivation(x, from * side * dim, px, dim, conv1.weight(), hidden, conv1.bias(),
                        Activation.GELU, h1, kept * hiddenRow);
            }
            heldFrom = need0;
            heldTo = need1;
            int px = (row1 - row0) * side;
            depthwise.apply(h1, need0, side, side, hidden, row0, row1, conv2Tiled, true, h2);
            conv3.product(h2, px, product);
            Epilogue.toHeap(product, px, dim, conv3.bias, x, row0 * side * dim, Activation.GELU, o, row0 * side * dim);
        }
        return o;
    }
}

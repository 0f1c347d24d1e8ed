package org.umedsam.model.cpu;

/**
 * TinyViT inverted-residual block in evaluation mode, channel-last {@code [H*W, C]} for one image:
 * {@code gelu(x + conv3(gelu(dw3x3(gelu(conv1 x)))))}, each conv with its BatchNorm folded; hidden = expand * C.
 *
 * <p>Computed in bands of image rows, about {@link #TILE_PIXELS} pixels each: conv1 (with its bias and GELU) of
 * the band's rows and the row above and below it, the depthwise conv of the band, conv3 and the residual. Why:
 * on the whole 256 x 256 map the two products ({@code [256, 64] x [64, 65536]} channel-first) ran at a third of
 * the rate of the same products on 4096-pixel bands channel-last (measured), and a band's hidden maps stay in cache
 * between the steps instead of streaming 67 MB maps through memory four times. The two conv1 rows a band shares
 * with the next are carried over, not recomputed. The depthwise conv writes its band off-heap, where conv3 reads it
 * ({@link NativeLinear}), instead of to the heap for {@link Gemm} to stage.
 *
 * <p>The Java threads take contiguous runs of bands ({@link #RUNS_PER_THREAD}) and compute each run alone, every
 * loop and product of it on their own thread ({@link ChunkedParallel#tasks}), where each band's six loops (staging,
 * conv1, its epilogue, the depthwise conv, conv3, its epilogue) used to be split between the threads: one fork for
 * the block instead of one per loop, and each thread's band in its own cache. Bands shrank from 4096 to 1024 pixels
 * with it (a 256-channel band's hidden rows 1.5 MB instead of 4.7 MB). LiteMedSAM's MBConv stage (two blocks and
 * the patch merging after them) took 0.095 to 0.097 s against 0.107 to 0.118 s before, 0.102 to 0.105 s with
 * 2048-pixel bands, 0.102 to 0.103 s with 512 (medians of 22 embeddings, JVMs of the two builds alternating,
 * 2-core Zen 4 VM, 2026-12-06); the embedding was the same bits.
 */
final class MBConv {

    /** Pixels per band (rounded down to whole rows, at least one row). */
    static final int TILE_PIXELS = 1024;

    /** conv1, a 1x1 convolution: {@code [C] -> [hidden]} per pixel. */
    private final NativeLinear conv1;
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
        FoldedConv c1 = FoldedConv.read(w, prefix + ".conv1", dim, hidden, 1, false);
        conv1 = new NativeLinear(c1.weight(), c1.bias(), dim, hidden);
        conv2 = FoldedConv.read(w, prefix + ".conv2", hidden, hidden, 3, true);
        FoldedConv c3 = FoldedConv.read(w, prefix + ".conv3", hidden, dim, 1, false);
        conv3 = new NativeLinear(c3.weight(), c3.bias(), hidden, dim);
        depthwise = DepthwiseBand.forInference(hidden);
        conv2Tiled = DepthwiseConv3x3.tiledTaps(conv2.tapMajor(), conv2.bias(), hidden,
                Math.max(1, DepthwiseConv3x3.SEGMENT_FLOATS / hidden));
    }

    /**
     * Contiguous runs of bands a Java thread takes at a time, per thread ({@link ChunkedParallel#tasks}): with two
     * threads and LiteMedSAM's 64 bands of the 256 x 256 map, four runs of 16 bands. A run computes conv1 again for
     * the row above and the row below it (its neighbours' edge rows), so more runs cost more conv1 rows; more than
     * one per thread lets a thread that starts late take fewer.
     */
    static final int RUNS_PER_THREAD = 2;

    /**
     * {@code x [side*side, C]} -> new {@code [side*side, C]}. The bands are split into contiguous runs that the Java
     * threads take whole, each run's products, epilogues and depthwise convolution on its thread alone: one fork for
     * the block instead of six per band (the band loops are short, a fraction of a millisecond each).
     */
    float[] forward(float[] x, int side, Workspace ws) {
        int bandRows = Math.max(1, Math.min(side, TILE_PIXELS / side));
        int bands = (side + bandRows - 1) / bandRows;
        float[] o = ws.get(this.out, side * side * dim);
        int threads = RowParallelGemm.threads();
        int runs = Math.min(bands, RUNS_PER_THREAD * threads);
        int slots = runs < 2 ? 1 : Math.min(threads, runs);
        Buffers[] buffers = new Buffers[slots];
        for (int i = 0; i < slots; i++) {
            buffers[i] = new Buffers(ws.get("mbconv.h1." + i, (bandRows + 2) * side * hidden),
                    ws.offHeap("mbconv.x." + i), ws.offHeap("mbconv.c1." + i), ws.offHeap("mbconv.h2." + i),
                    ws.offHeap("mbconv.product." + i));
        }
        if (slots == 1) { // one run: its loops in parallel instead
            bands(x, side, bandRows, 0, side, buffers[0], o);
            return o;
        }
        ChunkedParallel.tasks(runs, slots, (run, slot) -> bands(x, side, bandRows,
                (int) ((long) run * bands / runs) * bandRows,
                Math.min(side, (int) ((long) (run + 1) * bands / runs) * bandRows), buffers[slot], o));
        return o;
    }

    /** One thread's buffers: conv1's activation rows (heap), and conv1's input, output and conv3's input and output. */
    private record Buffers(float[] h1, NativeFloats x, NativeFloats c1, NativeFloats h2, NativeFloats product) {
    }

    /** Output rows {@code [rowFrom, rowTo)} (whole bands but the last) band by band into {@code o}. */
    private void bands(float[] x, int side, int bandRows, int rowFrom, int rowTo, Buffers b, float[] o) {
        int hiddenRow = side * hidden;
        // h1 holds image rows [heldFrom, heldTo) of gelu(conv1 x), its row 0 being heldFrom
        float[] h1 = b.h1();
        int heldFrom = 0; // nothing held yet
        int heldTo = 0;
        for (int row0 = rowFrom; row0 < rowTo; row0 += bandRows) {
            int row1 = Math.min(rowTo, row0 + bandRows);
            int need0 = Math.max(0, row0 - 1);
            int need1 = Math.min(side, row1 + 1);
            int kept = Math.max(0, heldTo - need0);
            if (kept > 0) {
                System.arraycopy(h1, (need0 - heldFrom) * hiddenRow, h1, 0, kept * hiddenRow);
            }
            int from = need0 + kept;
            if (need1 > from) {
                int px = (need1 - from) * side;
                b.x().ensure((long) px * dim).putParallel(0, x, from * side * dim, px * dim);
                conv1.product(b.x(), px, b.c1());
                Epilogue.toHeap(b.c1(), px, hidden, conv1.bias, null, 0, Activation.GELU, h1, kept * hiddenRow);
            }
            heldFrom = need0;
            heldTo = need1;
            int px = (row1 - row0) * side;
            depthwise.apply(h1, need0, side, side, hidden, row0, row1, conv2Tiled, true, b.h2());
            conv3.product(b.h2(), px, b.product());
            Epilogue.toHeap(b.product(), px, dim, conv3.bias, x, row0 * side * dim, Activation.GELU, o,
                    row0 * side * dim);
        }
    }
}

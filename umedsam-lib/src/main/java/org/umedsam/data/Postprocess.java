package org.umedsam.data;

/**
 * LiteMedSAM's {@code postprocess_masks} and thresholding: the {@code [side, side]} low-res
 * logits are cropped to {@code [:newh, :neww]}, up-sampled bilinearly to the original
 * {@code H x W} with PyTorch {@code F.interpolate(mode="bilinear", align_corners=False)}
 * arithmetic (float32: {@code src = max(scale*(dst+0.5)-0.5, 0)}, {@code scale = in/out}), and
 * thresholded at {@code sigmoid(logit) > 0.5} evaluated in float32 (for logits within about
 * 1e-7 above 0 this differs from {@code logit > 0}; we follow upstream).
 */
public final class Postprocess {
    private Postprocess() {
    }

    /**
     * @param logits {@code [side, side]} row-major
     * @return {@code [origH, origW]} up-sampled logits
     */
    public static float[] upsampleLogits(float[] logits, int side, int newH, int newW, int origH, int origW) {
        if (logits.length != side * side) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, expected " + side + "x" + side);
        }
        Taps ty = Taps.of(side, newH, origH);
        Taps tx = Taps.of(side, newW, origW);
        int[] x0 = tx.i0();
        int[] x1 = tx.i1();
        float[] wx0 = tx.l0();
        float[] wx1 = tx.l1();
        float[] out = new float[origH * origW];
        for (int y = 0; y < origH; y++) {
            int r0 = ty.i0[y] * side;
            int r1 = ty.i1[y] * side;
            float h0 = ty.l0[y];
            float h1 = ty.l1[y];
            for (int x = 0; x < origW; x++) {
                float t0 = logits[r0 + x0[x]] * wx0[x];
                t0 += logits[r0 + x1[x]] * wx1[x];
                float t1 = logits[r1 + x0[x]] * wx0[x];
                t1 += logits[r1 + x1[x]] * wx1[x];
                float o = t0 * h0;
                o += t1 * h1;
                out[y * origW + x] = o;
            }
        }
        return out;
    }

    /**
     * Bilinear taps along one axis, PyTorch {@code compute_source_index_and_lambda} (align_corners=False) in
     * float32: output {@code o} reads sources {@code i0[o]} and {@code i1[o]} with weights {@code l0[o]}, {@code l1[o]}.
     */
    private record Taps(int[] i0, int[] i1, float[] l0, float[] l1) {

        /** The taps from the first {@code in} of {@code side} sources to {@code out} outputs; refuses {@code in > side}. */
        static Taps of(int side, int in, int out) {
            if (in > side) {
                throw new IllegalArgumentException("crop " + in + " exceeds " + side);
            }
            Taps t = new Taps(new int[out], new int[out], new float[out], new float[out]);
            float scale = (float) in / out;
            for (int o = 0; o < out; o++) {
                if (in == out) {
                    t.i0[o] = o;
                    t.i1[o] = o;
                    t.l0[o] = 1f;
                    t.l1[o] = 0f;
                    continue;
                }
                float real = Math.max(scale * (o + 0.5f) - 0.5f, 0f);
                int idx = (int) real;
                int offset = idx < in - 1 ? 1 : 0;
                t.i0[o] = idx;
                t.i1[o] = idx + offset;
                float lambda1 = Math.min(Math.max(real - idx, 0f), 1f);
                t.l1[o] = lambda1;
                t.l0[o] = 1f - lambda1;
            }
            return t;
        }
    }

    /** {@code sigmoid(x) > 0.5} in float32, as {@code (torch.sigmoid(x) > 0.5)}. */
    public static boolean isForeground(float logit) {
        float p = (float) (1.0 / (1.0 + Math.exp(-logit)));
        return p > 0.5f;
    }

    /**
     * The smallest float logit that {@link #isForeground} accepts (about {@code 1.2e-7}): that test is
     * monotone in the logit ({@code exp} is semi-monotone, division and rounding to float keep order), so
     * for every float {@code x}, {@code isForeground(x) == (x >= FOREGROUND_FROM)} (NaN: false on both sides).
     * Found once by bisection over the float bit patterns between 0 and 1e-6.
     */
    public static final float FOREGROUND_FROM = foregroundFrom();

    private static float foregroundFrom() {
        int lo = Float.floatToIntBits(0f); // isForeground false
        int hi = Float.floatToIntBits(1e-6f); // isForeground true
        if (isForeground(Float.intBitsToFloat(lo)) || !isForeground(Float.intBitsToFloat(hi))) {
            throw new IllegalStateException("sigmoid threshold not bracketed by 0 and 1e-6");
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (isForeground(Float.intBitsToFloat(mid))) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return Float.intBitsToFloat(hi);
    }

    /**
     * The binary {@code [origH, origW]} mask (0/1) from {@code [side, side]} logits: {@link #upsampleLogits}
     * and {@link #isForeground} per pixel, fused (same float arithmetic, no full-size float array, the
     * threshold as a comparison with {@link #FOREGROUND_FROM} instead of an {@code exp} per pixel).
     */
    public static byte[] mask(float[] logits, int side, int newH, int newW, int origH, int origW) {
        return mask(logits, 0, side, newH, newW, origH, origW);
    }

    /**
     * As {@link #mask(float[], int, int, int, int, int)} for the {@code [side, side]} logits starting at
     * {@code offset} of {@code logits} (e.g. one box of a decoder's {@code [N, 1, side, side]} output).
     */
    public static byte[] mask(float[] logits, int offset, int side, int newH, int newW, int origH, int origW) {
        return crop(logits, offset, side, newH, newW, origH, origW).toFrame();
    }

    /**
     * As {@link #mask(float[], int, int, int, int, int, int)}, stored as the rectangle of output pixels whose four
     * source logits include a positive one (every pixel outside it is 0): the rows and columns that read a source
     * row and column holding a logit {@code > 0}. Same bits as {@code mask} inside it.
     */
    public static CroppedMask crop(float[] logits, int offset, int side, int newH, int newW, int origH, int origW) {
        if (offset < 0 || logits.length - offset < side * side) {
            throw new IllegalArgumentException("logits hold " + (logits.length - offset) + " values from offset " + offset
                    + ", expected " + side + "x" + side);
        }
        Taps ty = Taps.of(side, newH, origH);
        Taps tx = Taps.of(side, newW, origW);
        int[] x0 = tx.i0();
        int[] x1 = tx.i1();
        // Only pixels with a positive logit among their four sources can pass: a weighted sum of values <= 0 with
        // weights >= 0 is <= 0 in any rounding, below FOREGROUND_FROM. So the rows and columns of the crop that
        // hold a positive logit bound the work; every other pixel is 0 as computed in full.
        int rMin = Integer.MAX_VALUE;
        int rMax = -1;
        int cMin = Integer.MAX_VALUE;
        int cMax = -1;
        for (int r = 0; r < newH; r++) {
            long span = positiveSpan(logits, offset + r * side, newW);
            if (span >= 0) {
                rMin = Math.min(rMin, r);
                rMax = r;
                cMin = Math.min(cMin, (int) (span >>> 32));
                cMax = Math.max(cMax, (int) span);
            }
        }
        if (rMax < 0) {
            return CroppedMask.empty(origH, origW);
        }
        int xFrom = origW;
        int xTo = -1;
        for (int x = 0; x < origW; x++) {
            if (within(x0[x], cMin, cMax) || within(x1[x], cMin, cMax)) {
                xFrom = Math.min(xFrom, x);
                xTo = x;
            }
        }
        int yFrom = origH;
        int yTo = -1;
        for (int y = 0; y < origH; y++) {
            if (within(ty.i0[y], rMin, rMax) || within(ty.i1[y], rMin, rMax)) {
                yFrom = Math.min(yFrom, y);
                yTo = y;
            }
        }
        if (xTo < 0 || yTo < 0) {
            return CroppedMask.empty(origH, origW); // down-scaling skipped every column or row holding a positive logit
        }
        int cropWidth = xTo - xFrom + 1;
        byte[] m = new byte[cropWidth * (yTo - yFrom + 1)];
        // Output columns in runs that read the same two source columns. Per output row, a run whose four source
        // logits are all >= SURE (sure foreground) is filled with 1 and a run whose four are all <= 0 is left 0,
        // without interpolating: only runs straddling the boundary are computed per pixel, with upsampleLogits'
        // float operations in its order. An up-scaled mask is mostly interior, so this is a small part of it.
        int[] runs = new int[xTo - xFrom + 2];
        int nRuns = 0;
        for (int x = xFrom; x <= xTo; x++) {
            if (x == xFrom || x0[x] != x0[x - 1] || x1[x] != x1[x - 1]) {
                runs[nRuns++] = x;
            }
        }
        runs[nRuns] = xTo + 1;
        RowWriter writer = new RowWriter(logits, m, cropWidth, xFrom, runs, nRuns, tx);
        // output rows in bands that read the same two source rows (consecutive, as the taps are monotone)
        for (int y = yFrom; y <= yTo; ) {
            int s0 = ty.i0[y];
            int s1 = ty.i1[y];
            int end = y + 1;
            while (end <= yTo && ty.i0[end] == s0 && ty.i1[end] == s1) {
                end++;
            }
            int r0 = offset + s0 * side;
            int r1 = offset + s1 * side;
            writer.sortRuns(r0, r1);
            writer.write(y - yFrom, end - y, r0, r1, ty.l0, ty.l1, y);
            y = end;
        }
        return new CroppedMask(origH, origW, xFrom, yFrom, cropWidth, yTo - yFrom + 1, m);
    }

    /**
     * The first and last column of {@code logits[from, from + n)} holding a logit {@code > 0}, as
     * {@code first << 32 | last}, or -1 if none does. Here and in {@link RowWriter} the per-pixel loops are small
     * methods, called thousands of times per image, which the JIT compiles from their call counts; as loops of one
     * method called once per mask they waited for on-stack replacement. On the 19 masks of the 1536 x 2040
     * benchmark case (two threads, a probe in six alternating fresh JVMs per build, 2-core Zen 1, 2026-12-05) a
     * JVM's second image took 33 to 58 ms against 46 to 93 ms. The first image in a fresh JVM did not measurably
     * change (78 to 145 ms against 85 to 189 ms in the probe; in {@code InferOverheadBenchmarkTest#table4Shapes},
     * two fresh JVMs each, 0.094 and 0.096 s against 0.067 and 0.119 s): with C1 alone
     * ({@code -XX:TieredStopAtLevel=1}) it took 61 ms, so most of that first time is profiling code and C2 compiling
     * on the same two cores.
     */
    private static long positiveSpan(float[] logits, int from, int n) {
        int first = -1;
        int last = -1;
        for (int c = 0; c < n; c++) {
            if (logits[from + c] > 0f) {
                if (first < 0) {
                    first = c;
                }
                last = c;
            }
        }
        return first < 0 ? -1 : (long) first << 32 | last;
    }

    /**
     * Writes the output rows of one mask, a band of rows reading the same source row pair at a time (about 8 rows
     * when up-scaling 256 to 2040): the pair's runs are sorted once into fills (adjacent sure runs merged) and
     * boundary runs; the band's first row gets the fills and is copied to the others, then each boundary run is
     * interpolated over the whole band. Sorting per output row cost about a third of the post-processing (19
     * synthetic masks at 1536 x 2040 on one thread: 17 to 31 ms with a sort per pair, 29 to 44 ms before; a probe,
     * 2-core Zen 1, 2026-12-04). Writing per band makes one call per run and band instead of one per run and row, and
     * the band's two horizontal sums once per column: in {@code InferOverheadBenchmarkTest#table4Shapes} (fresh JVMs,
     * the 1536 x 2040 case after two 256 x 256 ones, so with this code not yet compiled) the case's post-processing
     * took 0.022 and 0.043 s against 0.044 and 0.088 s before (with the masks' bulk copy to the heap, which is part
     * of it); compiled, 16 of its masks take 2.1 to 2.8 ms on two threads (Zen 5, 2026-12-05).
     */
    private static final class RowWriter {
        private final float[] logits;
        private final byte[] m;
        /** The crop's width and first column: output column {@code x} is {@code m}'s column {@code x - column0}. */
        private final int width;
        private final int column0;
        private final int[] runs;
        private final int nRuns;
        private final int[] x0;
        private final int[] x1;
        private final float[] wx0;
        private final float[] wx1;
        private final int[] fills;
        private final int[] boundary;
        /** The top and bottom source rows' horizontal interpolations, per crop column, of the band being written. */
        private final float[] top;
        private final float[] bottom;
        private int nFills;
        private int nBoundary;

        RowWriter(float[] logits, byte[] m, int width, int column0, int[] runs, int nRuns, Taps tx) {
            this.logits = logits;
            this.m = m;
            this.width = width;
            this.column0 = column0;
            this.runs = runs;
            this.nRuns = nRuns;
            this.x0 = tx.i0();
            this.x1 = tx.i1();
            this.wx0 = tx.l0();
            this.wx1 = tx.l1();
            this.fills = new int[2 * nRuns];
            this.boundary = new int[nRuns];
            this.top = new float[width];
            this.bottom = new float[width];
        }

        /** Sorts the runs for the source rows starting at {@code r0} and {@code r1} of {@code logits}. */
        void sortRuns(int r0, int r1) {
            nFills = 0;
            nBoundary = 0;
            int open = -1;
            for (int k = 0; k < nRuns; k++) {
                int xa = runs[k];
                float a = logits[r0 + x0[xa]];
                float b = logits[r0 + x1[xa]];
                float c = logits[r1 + x0[xa]];
                float d = logits[r1 + x1[xa]];
                if (sure(a) && sure(b) && sure(c) && sure(d)) {
                    if (open < 0) {
                        open = xa;
                    }
                    continue;
                }
                if (open >= 0) {
                    fills[nFills++] = open;
                    fills[nFills++] = xa;
                    open = -1;
                }
                if (!(a <= 0f && b <= 0f && c <= 0f && d <= 0f)) {
                    boundary[nBoundary++] = k;
                }
            }
            if (open >= 0) {
                fills[nFills++] = open;
                fills[nFills++] = runs[nRuns];
            }
        }

        /**
         * Rows {@code [y, y + rows)} of the crop from the runs last sorted; output row {@code y + k} of the crop is
         * row {@code frameRow + k} of the frame, with the row weights {@code h0[frameRow + k]}, {@code h1[...]}.
         */
        void write(int y, int rows, int r0, int r1, float[] h0, float[] h1, int frameRow) {
            int first = y * width;
            if (nFills > 0) {
                int row = first - column0; // m's index of output column 0 in row y
                for (int f = 0; f < nFills; f += 2) {
                    java.util.Arrays.fill(m, row + fills[f], row + fills[f + 1], (byte) 1);
                }
                for (int k = 1; k < rows; k++) {
                    System.arraycopy(m, first, m, first + k * width, width); // boundary pixels are rewritten below
                }
            }
            for (int j = 0; j < nBoundary; j++) {
                int xa = runs[boundary[j]];
                interpolate(y, rows, xa, runs[boundary[j] + 1], logits[r0 + x0[xa]], logits[r0 + x1[xa]],
                        logits[r1 + x0[xa]], logits[r1 + x1[xa]], h0, h1, frameRow);
            }
        }

        /**
         * Pixels {@code [xa, xb)} of crop rows {@code [y, y + rows)} from their four source logits, as upsampleLogits
         * computes each (the same float operations in the same order per pixel), set to 1 or 0. The two row sums
         * {@code t0}, {@code t1} of a column do not depend on the output row, so they are computed once per band.
         */
        private void interpolate(int y, int rows, int xa, int xb, float a, float b, float c, float d, float[] h0,
                                 float[] h1, int frameRow) {
            for (int x = xa; x < xb; x++) {
                float t0 = a * wx0[x];
                t0 += b * wx1[x];
                float t1 = c * wx0[x];
                t1 += d * wx1[x];
                top[x - column0] = t0;
                bottom[x - column0] = t1;
            }
            float from = FOREGROUND_FROM;
            for (int k = 0; k < rows; k++) {
                float hk0 = h0[frameRow + k];
                float hk1 = h1[frameRow + k];
                int row = (y + k) * width - column0;
                for (int x = xa; x < xb; x++) {
                    float o = top[x - column0] * hk0;
                    o += bottom[x - column0] * hk1;
                    m[row + x] = (byte) (o >= from ? 1 : 0);
                }
            }
        }
    }

    /**
     * Logits from which an interpolated pixel is surely foreground: a bilinear weight pair sums to 1 within a
     * rounding step and each step of the interpolation rounds by at most one more, so four source logits
     * {@code >= 4 FOREGROUND_FROM} give at least about {@code 3.9 FOREGROUND_FROM}.
     */
    private static final float SURE = 4 * FOREGROUND_FROM;

    /** {@code SURE <= v} and finite (an infinite logit times a zero weight is NaN, which is not foreground). */
    private static boolean sure(float v) {
        return v >= SURE && v <= Float.MAX_VALUE;
    }

    private static boolean within(int v, int lo, int hi) {
        return v >= lo && v <= hi;
    }
}

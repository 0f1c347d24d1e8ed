package org.umedsam.data;

/**
 * OpenCV's {@code cv::resize(..., INTER_AREA)} for 8-bit images, re-implemented arithmetic for
 * arithmetic (OpenCV 4.x {@code modules/imgproc/src/resize.cpp}; no binding), so that the
 * LiteMedSAM pre-processing done in Python is reproduced bit-exactly. Three code paths, chosen
 * like OpenCV chooses them, with {@code scale = source size / destination size} per axis:
 * <ol>
 *   <li>both scales integers (within {@code DBL_EPSILON}), both &ge; 1: block averaging
 *       ({@code resizeAreaFast}); a 2x2 block is {@code (a+b+c+d+2)>>2}, other blocks
 *       {@code cvRound(sum * (1f/area))} (round half to even);</li>
 *   <li>both scales &ge; 1 otherwise: area-weighted overlaps ({@code computeResizeAreaTab},
 *       double coefficients stored as float, float accumulation, {@code cvRound});</li>
 *   <li>any scale &lt; 1 (enlarging): OpenCV's bilinear variant for INTER_AREA, with
 *       {@code sx = floor(dx*scale)}, {@code fx = (dx+1) - (sx+1)/scale}, {@code fx = fx <= 0 ? 0 :
 *       fx - floor(fx)}, in 11-bit fixed point ({@code INTER_RESIZE_COEF_SCALE = 2048}) and the
 *       8-bit vertical pass {@code ((b0*(S0>>4))>>16 + (b1*(S1>>4))>>16 + 2) >> 2}.</li>
 * </ol>
 */
public final class AreaResize {
    private static final int COEF_BITS = 11;
    private static final int COEF_SCALE = 1 << COEF_BITS;
    private static final double DBL_EPSILON = Math.ulp(1.0);

    private AreaResize() {
    }

    /** Resizes {@code src} to {@code dstH x dstW} (any channel count) with INTER_AREA semantics. */
    public static ImageU8 resize(ImageU8 src, int dstH, int dstW) {
        return resizeWindow(src, dstH, dstW, new Window(0, dstH, 0, dstW));
    }

    /**
     * Destination rows {@code [y0, y1)} and columns {@code [x0, x1)} of a resize: {@link #resizeWindow} computes only
     * these pixels.
     */
    public record Window(int y0, int y1, int x0, int x1) {
        public Window {
            if (y0 < 0 || x0 < 0 || y1 <= y0 || x1 <= x0) {
                throw new IllegalArgumentException("empty or negative window rows [" + y0 + ", " + y1 + "), columns ["
                        + x0 + ", " + x1 + ")");
            }
        }

        int height() {
            return y1 - y0;
        }

        int width() {
            return x1 - x0;
        }

        /**
         * The destination pixels of an {@code srcH x srcW} to {@code dstH x dstW} resize that can read a source
         * pixel of rows {@code [sy0, sy1)} and columns {@code [sx0, sx1)}, with a margin (a superset): every path
         * reads, for a destination pixel, source pixels within one pixel of its own position, counted in the larger
         * of the two pixel sizes.
         * A resize of an image that is 0 outside that source rectangle is 0 outside this window.
         */
        public static Window around(int srcH, int srcW, int dstH, int dstW, int sy0, int sy1, int sx0, int sx1) {
            return new Window(lower(sy0, dstH, srcH), upper(sy1, dstH, srcH), lower(sx0, dstW, srcW),
                    upper(sx1, dstW, srcW));
        }

        private static int lower(int s, int dst, int src) {
            return (int) Math.max(0, (long) s * dst / src - margin(dst, src));
        }

        private static int upper(int s, int dst, int src) {
            return (int) Math.min(dst, ((long) s * dst + src - 1) / src + margin(dst, src));
        }

        /** Destination pixels per source pixel, rounded up, plus two: the margin, in destination pixels. */
        private static long margin(int dst, int src) {
            return ((long) dst + src - 1) / src + 2;
        }
    }

    /**
     * The pixels of {@link #resize} in {@code window} (the same values, computed per destination pixel by the same
     * arithmetic), as a {@code window.height() x window.width()} image: each destination pixel reads only the source
     * pixels under it. For a mask that is 0 outside a small rectangle, the rest of the resize is 0 and need not be
     * computed (3D inference's next-slice boxes, {@link BoxPrompts#nextSliceBox}).
     */
    public static ImageU8 resizeWindow(ImageU8 src, int dstH, int dstW, Window window) {
        if (dstH <= 0 || dstW <= 0) {
            throw new IllegalArgumentException("bad target size " + dstH + "x" + dstW);
        }
        if (window.y1() > dstH || window.x1() > dstW) {
            throw new IllegalArgumentException(window + " exceeds the " + dstH + "x" + dstW + " destination");
        }
        if (dstH == src.height() && dstW == src.width()) {
            return copy(src, window);
        }
        double invScaleX = (double) dstW / src.width();
        double invScaleY = (double) dstH / src.height();
        double scaleX = 1.0 / invScaleX;
        double scaleY = 1.0 / invScaleY;
        int iscaleX = (int) Math.rint(scaleX);
        int iscaleY = (int) Math.rint(scaleY);
        boolean areaFast = Math.abs(scaleX - iscaleX) < DBL_EPSILON && Math.abs(scaleY - iscaleY) < DBL_EPSILON;
        if (scaleX >= 1 && scaleY >= 1) {
            return areaFast ? blockAverage(src, iscaleX, iscaleY, window)
                    : areaWeighted(src, dstH, dstW, scaleX, scaleY, window);
        }
        return linearArea(src, dstH, dstW, invScaleX, invScaleY, scaleX, scaleY, window);
    }

    /** The window of an image resized to its own size: its pixels. */
    private static ImageU8 copy(ImageU8 src, Window w) {
        int cn = src.channels();
        int rowBytes = w.width() * cn;
        byte[] d = new byte[w.height() * rowBytes];
        for (int y = w.y0(); y < w.y1(); y++) {
            System.arraycopy(src.data(), (y * src.width() + w.x0()) * cn, d, (y - w.y0()) * rowBytes, rowBytes);
        }
        return new ImageU8(w.height(), w.width(), cn, d);
    }

    /** OpenCV {@code resizeAreaFast_Invoker} with its 2x2 special case. */
    private static ImageU8 blockAverage(ImageU8 src, int sx, int sy, Window w) {
        int cn = src.channels();
        int sw = src.width();
        int sh = src.height();
        byte[] s = src.data();
        int outW = w.width();
        byte[] d = new byte[w.height() * outW * cn];
        int area = sx * sy;
        float scale = 1f / area;
        boolean twoByTwo = sx == 2 && sy == 2;
        for (int dy = w.y0(); dy < w.y1(); dy++) {
            int y0 = dy * sy;
            for (int dx = w.x0(); dx < w.x1(); dx++) {
                int x0 = dx * sx;
                boolean inside = y0 + sy <= sh && x0 + sx <= sw;
                for (int c = 0; c < cn; c++) {
                    int sum = 0;
                    int count = 0;
                    for (int yy = 0; yy < sy && y0 + yy < sh; yy++) {
                        int row = (y0 + yy) * sw;
                        for (int xx = 0; xx < sx && x0 + xx < sw; xx++) {
                            sum += s[(row + x0 + xx) * cn + c] & 0xFF;
                            count++;
                        }
                    }
                    int v;
                    if (!inside) {
                        v = count == 0 ? 0 : roundSat((float) sum / count);
                    } else if (twoByTwo) {
                        v = (sum + 2) >> 2;
                    } else {
                        v = roundSat((float) sum * scale);
                    }
                    d[((dy - w.y0()) * outW + dx - w.x0()) * cn + c] = (byte) v;
                }
            }
        }
        return new ImageU8(w.height(), outW, cn, d);
    }

    /** One entry of OpenCV's {@code DecimateAlpha} table: destination index, source index, weight. */
    private record Tab(int di, int si, float alpha) {
    }

    /** OpenCV {@code computeResizeAreaTab}: the source cells overlapping each destination cell. */
    private static Tab[] areaTab(int ssize, int dsize, double scale) {
        java.util.ArrayList<Tab> tab = new java.util.ArrayList<>(ssize * 2);
        for (int dx = 0; dx < dsize; dx++) {
            double fsx1 = dx * scale;
            double fsx2 = fsx1 + scale;
            double cellWidth = Math.min(scale, ssize - fsx1);
            int sx1 = (int) Math.ceil(fsx1);
            int sx2 = (int) Math.floor(fsx2);
            sx2 = Math.min(sx2, ssize - 1);
            sx1 = Math.min(sx1, sx2);
            if (sx1 - fsx1 > 1e-3) {
                tab.add(new Tab(dx, sx1 - 1, (float) ((sx1 - fsx1) / cellWidth)));
            }
            for (int sx = sx1; sx < sx2; sx++) {
                tab.add(new Tab(dx, sx, (float) (1.0 / cellWidth)));
            }
            if (fsx2 - sx2 > 1e-3) {
                tab.add(new Tab(dx, sx2, (float) (Math.min(Math.min(fsx2 - sx2, 1.0), cellWidth) / cellWidth)));
            }
        }
        return tab.toArray(new Tab[0]);
    }

    /** Source pixels from which {@link #areaWeighted} splits its destination rows between threads. */
    private static final int PARALLEL_FROM_PIXELS = 1 << 18;

    /**
     * OpenCV {@code ResizeArea_Invoker} (uchar source, float work type). Large sources are split into bands of
     * destination rows run in parallel, as OpenCV's {@code parallel_for_} splits them: every destination row is
     * still summed by one thread in table order, so the result does not depend on the split. The whole
     * pre-processing of a 1536 x 2040 RGB case took 16 to 27 ms this way against 25 to 50 ms on one thread (warm,
     * a probe, 2-core Zen 1, 2026-12-04).
     */
    private static ImageU8 areaWeighted(ImageU8 src, int dstH, int dstW, double scaleX, double scaleY, Window w) {
        // the source pixels under the window
        long pixels = (long) src.height() * src.width() * w.height() / dstH * w.width() / dstW;
        int bands = pixels < PARALLEL_FROM_PIXELS ? 1
                : Math.min(w.height(), 2 * (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1));
        return areaWeighted(src, dstH, dstW, scaleX, scaleY, bands, w);
    }

    /** {@link #areaWeighted(ImageU8, int, int, double, double, Window)} of the whole image in {@code bands} bands. */
    static ImageU8 areaWeighted(ImageU8 src, int dstH, int dstW, double scaleX, double scaleY, int bands) {
        return areaWeighted(src, dstH, dstW, scaleX, scaleY, bands, new Window(0, dstH, 0, dstW));
    }

    /** The window's pixels in {@code bands} bands of destination rows. */
    private static ImageU8 areaWeighted(ImageU8 src, int dstH, int dstW, double scaleX, double scaleY, int bands,
                                        Window w) {
        if (bands < 1 || bands > w.height()) {
            throw new IllegalArgumentException(bands + " bands for " + w.height() + " destination rows");
        }
        int cn = src.channels();
        Tab[] xtab = areaTab(src.width(), dstW, scaleX);
        Tab[] ytab = areaTab(src.height(), dstH, scaleY);
        int width = w.width() * cn;
        byte[] d = new byte[w.height() * width];
        // the x table's entries for the window's columns (sorted by destination column, so a range) as primitive
        // arrays, same entries in the same order: the inner loop runs once per source sample
        int xFrom = firstEntry(xtab, w.x0());
        int nx = firstEntry(xtab, w.x1()) - xFrom;
        int[] xd = new int[nx];
        int[] xs = new int[nx];
        float[] xa = new float[nx];
        for (int i = 0; i < nx; i++) {
            Tab t = xtab[xFrom + i];
            xd[i] = (t.di() - w.x0()) * cn;
            xs[i] = t.si() * cn;
            xa[i] = t.alpha();
        }
        // ytab is sorted by destination row: band k takes the entries of the window's rows
        // [y0 + k h / bands, y0 + (k + 1) h / bands)
        int[] start = new int[bands + 1];
        for (int k = 0; k <= bands; k++) {
            start[k] = firstEntry(ytab, w.y0() + (int) ((long) k * w.height() / bands));
        }
        java.util.stream.IntStream.range(0, bands).parallel().forEach(k ->
                rows(src, ytab, start[k], start[k + 1], xd, xs, xa, width, d, w.y0()));
        return new ImageU8(w.height(), w.width(), cn, d);
    }

    /** The first entry of a table sorted by destination index whose destination is at least {@code di}. */
    private static int firstEntry(Tab[] tab, int di) {
        int lo = 0;
        int hi = tab.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tab[mid].di() < di) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Destination rows of the y-table entries {@code [from, to)} of {@link #areaWeighted}, written into {@code d},
     * whose row 0 is destination row {@code row0}.
     */
    private static void rows(ImageU8 src, Tab[] ytab, int from, int to, int[] xd, int[] xs, float[] xa, int width,
                             byte[] d, int row0) {
        if (from >= to) {
            return;
        }
        int cn = src.channels();
        int sw = src.width();
        byte[] s = src.data();
        float[] buf = new float[width];
        float[] sum = new float[width];
        int prevDy = ytab[from].di();
        int prevSy = -1;
        for (int e = from; e < to; e++) {
            Tab yt = ytab[e];
            float beta = yt.alpha();
            int dy = yt.di();
            int sy = yt.si();
            if (sy != prevSy) { // a source row across two destination rows: its sums are the same, so summed once
                sourceRow(s, sy * sw * cn, cn, xd, xs, xa, buf);
                prevSy = sy;
            }
            if (dy != prevDy) {
                emit(sum, d, (prevDy - row0) * width);
                scale(beta, buf, sum);
                prevDy = dy;
            } else {
                accumulate(beta, buf, sum);
            }
        }
        emit(sum, d, (prevDy - row0) * width);
    }

    /*
     * The per-row loops of rows() as small methods, called once or twice per source row (about 1,700 times for a
     * 1536 x 2040 image), which the JIT compiles from their call counts, where the loops of rows(), called once per
     * band, waited for on-stack replacement. A fresh JVM's second such image took 26 to 30 ms this way against 31 to
     * 47 ms, warm about 20 ms either way; the first still takes about 0.1 s (its loops run interpreted, then in
     * profiling code, while C2 compiles them on the same two cores). A probe, three alternating fresh JVMs per
     * build, 2-core Zen 1, 2026-12-05.
     */

    /**
     * Entries of the x table per {@link #sourceEntries} call. A source row of a 1536 x 2040 image has about 2,300;
     * in pieces the method reaches its call count for compiling after a few rows instead of a few hundred, so less
     * of a process's first large image runs interpreted or in profiling code: that image's whole pre-processing took
     * 36 to 56 ms (median 45) against 47 to 75 ms (median 57) in one call per row (fresh JVMs, after two 256 x 256
     * cases, four alternating each, Zen 5, 2026-12-05). Same sums in the same order.
     */
    private static final int ENTRIES_PER_CALL = 128;

    /** {@code buf[xd[i] + c] += s[rowOff + xs[i] + c] * xa[i]} over the x table in order, from {@code buf = 0}. */
    private static void sourceRow(byte[] s, int rowOff, int cn, int[] xd, int[] xs, float[] xa, float[] buf) {
        java.util.Arrays.fill(buf, 0f);
        int nx = xd.length;
        for (int i = 0; i < nx; i += ENTRIES_PER_CALL) {
            sourceEntries(s, rowOff, cn, xd, xs, xa, buf, i, Math.min(nx, i + ENTRIES_PER_CALL));
        }
    }

    /** {@link #sourceRow}'s sums for the x-table entries {@code [from, to)}. */
    private static void sourceEntries(byte[] s, int rowOff, int cn, int[] xd, int[] xs, float[] xa, float[] buf,
                                      int from, int to) {
        if (cn == 3) {
            for (int i = from; i < to; i++) {
                int dxn = xd[i];
                int sxn = rowOff + xs[i];
                float alpha = xa[i];
                buf[dxn] = buf[dxn] + (s[sxn] & 0xFF) * alpha;
                buf[dxn + 1] = buf[dxn + 1] + (s[sxn + 1] & 0xFF) * alpha;
                buf[dxn + 2] = buf[dxn + 2] + (s[sxn + 2] & 0xFF) * alpha;
            }
        } else {
            for (int i = from; i < to; i++) {
                int dxn = xd[i];
                int sxn = rowOff + xs[i];
                float alpha = xa[i];
                for (int c = 0; c < cn; c++) {
                    buf[dxn + c] = buf[dxn + c] + (s[sxn + c] & 0xFF) * alpha;
                }
            }
        }
    }

    /** {@code d[o + i] = saturate(round(sum[i]))}: a finished destination row. */
    private static void emit(float[] sum, byte[] d, int o) {
        for (int i = 0; i < sum.length; i++) {
            d[o + i] = (byte) roundSat(sum[i]);
        }
    }

    /** {@code sum = beta * buf}: the first source row of a destination row. */
    private static void scale(float beta, float[] buf, float[] sum) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] = beta * buf[i];
        }
    }

    /** {@code sum += beta * buf}. */
    private static void accumulate(float beta, float[] buf, float[] sum) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += beta * buf[i];
        }
    }

    /** OpenCV's {@code resizeGeneric_} linear path in INTER_AREA mode, 8-bit fixed point. */
    private static ImageU8 linearArea(ImageU8 src, int dstH, int dstW, double invScaleX, double invScaleY,
                                      double scaleX, double scaleY, Window w) {
        int cn = src.channels();
        int sw = src.width();
        int sh = src.height();
        byte[] s = src.data();
        int[] xofs = new int[dstW];
        short[] ialpha = new short[dstW * 2];
        int xmax = dstW;
        for (int dx = 0; dx < dstW; dx++) {
            int sx = (int) Math.floor(dx * scaleX);
            float fx = (float) ((dx + 1) - (sx + 1) * invScaleX);
            fx = fx <= 0 ? 0f : fx - (float) Math.floor(fx);
            if (sx + 1 >= sw) {
                xmax = Math.min(xmax, dx);
                if (sx >= sw - 1) {
                    fx = 0;
                    sx = sw - 1;
                }
            }
            xofs[dx] = sx;
            ialpha[2 * dx] = coef(1f - fx);
            ialpha[2 * dx + 1] = coef(fx);
        }
        int[] yofs = new int[dstH];
        short[] ibeta = new short[dstH * 2];
        for (int dy = 0; dy < dstH; dy++) {
            int sy = (int) Math.floor(dy * scaleY);
            float fy = (float) ((dy + 1) - (sy + 1) * invScaleY);
            fy = fy <= 0 ? 0f : fy - (float) Math.floor(fy);
            yofs[dy] = sy;
            ibeta[2 * dy] = coef(1f - fy);
            ibeta[2 * dy + 1] = coef(fy);
        }
        int width = w.width() * cn;
        int[] row0 = new int[width];
        int[] row1 = new int[width];
        byte[] d = new byte[w.height() * width];
        for (int dy = w.y0(); dy < w.y1(); dy++) {
            int sy0 = Math.min(Math.max(yofs[dy], 0), sh - 1);
            int sy1 = Math.min(Math.max(yofs[dy] + 1, 0), sh - 1);
            horizontal(s, sy0 * sw * cn, cn, xofs, ialpha, xmax, w.x0(), w.x1(), row0);
            horizontal(s, sy1 * sw * cn, cn, xofs, ialpha, xmax, w.x0(), w.x1(), row1);
            int b0 = ibeta[2 * dy];
            int b1 = ibeta[2 * dy + 1];
            int o = (dy - w.y0()) * width;
            for (int i = 0; i < width; i++) {
                d[o + i] = (byte) ((((b0 * (row0[i] >> 4)) >> 16) + ((b1 * (row1[i] >> 4)) >> 16) + 2) >> 2);
            }
        }
        return new ImageU8(w.height(), w.width(), cn, d);
    }

    /**
     * OpenCV {@code HResizeLinear} for uchar: fixed-point blend of a source row, destination columns
     * {@code [dx0, dx1)} into {@code out} from index 0.
     */
    private static void horizontal(byte[] s, int rowOff, int cn, int[] xofs, short[] ialpha, int xmax, int dx0,
                                   int dx1, int[] out) {
        for (int dx = dx0; dx < dx1; dx++) {
            int sxn = rowOff + xofs[dx] * cn;
            for (int c = 0; c < cn; c++) {
                int v;
                if (dx < xmax) {
                    v = (s[sxn + c] & 0xFF) * ialpha[2 * dx] + (s[sxn + cn + c] & 0xFF) * ialpha[2 * dx + 1];
                } else {
                    v = (s[sxn + c] & 0xFF) * COEF_SCALE;
                }
                out[(dx - dx0) * cn + c] = v;
            }
        }
    }

    /** {@code saturate_cast<short>(v * INTER_RESIZE_COEF_SCALE)}: float product, round half to even. */
    private static short coef(float v) {
        float p = v * COEF_SCALE;
        long r = (long) Math.rint(p);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, r));
    }

    /** {@code saturate_cast<uchar>(float)}: round half to even, clamp to 0..255. */
    static int roundSat(float v) {
        int r = (int) Math.rint(v);
        return Math.max(0, Math.min(255, r));
    }
}

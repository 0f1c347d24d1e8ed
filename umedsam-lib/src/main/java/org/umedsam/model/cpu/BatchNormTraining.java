package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;


/**
 * Training-mode {@code BatchNorm2d} (statistics of the current batch, as TinyViT's {@code Conv2d_BN} runs under
 * {@code model.train()}), optionally followed by GELU, on a batch given as one heap map per image, channel-first
 * {@code x[b] = [C, HW]} or channel-last {@code x[b] = [HW, C]}.
 *
 * <p>Forward (PyTorch {@code F.batch_norm(training=True)}): per channel {@code mean}, biased {@code var} over
 * {@code N = B*HW} values, {@code xhat = (x - mean) / sqrt(var + eps)}, {@code z = gamma xhat + beta}. The map
 * computes {@code z} as {@code x * a + s} with {@code a = gamma invStd}, {@code s = beta - mean a} (one multiply
 * and add per value); the backward recomputes {@code z} by the same expression, so GELU' is taken where the
 * forward's GELU was. Backward (Ioffe & Szegedy 2015): {@code g = dy GELU'(z)}, {@code dBeta = sum g},
 * {@code dGamma = sum g xhat}, {@code dx = gamma invStd / N (N g - dBeta - xhat dGamma)}.
 *
 * <p>Sums are bit-reproducible whatever the thread timing and the number of threads: channel-first work is one
 * task per channel; channel-last work is split into fixed pixel chunks whose per-channel partial sums are merged
 * in chunk order. A sum is kept in float lanes (the loops C2 vectorises) flushed into double lanes every
 * {@value #FLUSH} terms, so no float partial holds more than {@value #FLUSH} terms; the lanes are then added in
 * double, in order.
 */
final class BatchNormTraining {

    /** Lane width of a channel-first sum (values of one channel are summed {@code LANES} at a time). */
    private static final int LANES = 256;
    /** Terms a float lane takes before it is flushed into its double lane. */
    private static final int FLUSH = 16;
    /** Pixels per channel-last task; fixed, so the merge order does not depend on the thread count. */
    private static final int CHUNK_PIXELS = 512;

    private BatchNormTraining() {
    }

    /** Batch statistics per channel: mean, biased variance, invStd = 1/sqrt(var + eps), count = B*HW. */
    record Statistics(float[] mean, float[] variance, float[] invStd, long count) {
    }

    /** Float lanes flushed into double lanes every {@value #FLUSH} additions. */
    private static final class Lanes {
        final float[] f;
        final double[] d;
        private int pending;

        Lanes(int n) {
            f = new float[n];
            d = new double[n];
        }

        /** Counts one addition to every lane; flushes when due. */
        void added() {
            if (++pending == FLUSH) {
                flush();
            }
        }

        void flush() {
            for (int i = 0; i < f.length; i++) {
                d[i] += f[i];
                f[i] = 0f;
            }
            pending = 0;
        }

        /** Sum of all lanes, in lane order. */
        double total() {
            flush();
            double s = 0;
            for (double v : d) {
                s += v;
            }
            return s;
        }

        /** The flushed double lanes (one per channel). */
        double[] flushed() {
            flush();
            return d;
        }
    }

    // ------------------------------------------------------------------------------------------------ statistics

    /** Statistics of a channel-first batch, {@code x[b] = [C, HW]}; parallel over channels. */
    static Statistics statisticsChw(float[][] x, int channels, int hw, double eps) {
        requireBatch(x, "x", x == null ? 0 : x.length, channels, hw);
        long count = (long) x.length * hw;
        float[] mean = new float[channels];
        float[] var = new float[channels];
        float[] inv = new float[channels];
        ChunkedParallel.forEach(channels, c -> {
            int off = c * hw;
            Lanes s = new Lanes(LANES);
            float[] f = s.f;
            for (float[] xb : x) {
                for (int o = off, end = off + hw; o < end; o += LANES) {
                    int len = Math.min(LANES, end - o);
                    for (int j = 0; j < len; j++) {
                        f[j] += xb[o + j];
                    }
                    s.added();
                }
            }
            double m = s.total() / count;
            float mf = (float) m;
            // second pass about the mean (no cancellation of E[x^2] - mean^2)
            Lanes q = new Lanes(LANES);
            float[] fq = q.f;
            for (float[] xb : x) {
                for (int o = off, end = off + hw; o < end; o += LANES) {
                    int len = Math.min(LANES, end - o);
                    for (int j = 0; j < len; j++) {
                        float d = xb[o + j] - mf;
                        fq[j] += d * d;
                    }
                    q.added();
                }
            }
            store(c, m, mf, q.total(), count, eps, mean, var, inv);
        });
        return new Statistics(mean, var, inv, count);
    }

    /** Statistics of a channel-last batch, {@code x[b] = [HW, C]}; parallel over fixed pixel chunks. */
    static Statistics statisticsHwc(float[][] x, int pixels, int channels, double eps) {
        requireBatch(x, "x", x == null ? 0 : x.length, channels, pixels);
        long count = (long) x.length * pixels;
        boolean vector = vectorRows(channels);
        // each pixel's channels copied to an offset-0 row first, so that C2 vectorises the loop (as in backwardHwc),
        // or read in place by VectorBatchNormRows (the same bits)
        double[] sum = chunkSums(x.length, pixels, channels, (b, p0, p1, s) -> {
            float[] xb = x[b];
            float[] f = s.f;
            float[] xr = new float[channels];
            for (int p = p0; p < p1; p++) {
                if (vector) {
                    VectorGradientRows.addRow(f, xb, p * channels, channels);
                } else {
                    System.arraycopy(xb, p * channels, xr, 0, channels);
                    for (int j = 0; j < channels; j++) {
                        f[j] += xr[j];
                    }
                }
                s.added();
            }
        });
        float[] mf = new float[channels];
        for (int c = 0; c < channels; c++) {
            mf[c] = (float) (sum[c] / count);
        }
        double[] sq = chunkSums(x.length, pixels, channels, (b, p0, p1, s) -> {
            float[] xb = x[b];
            float[] f = s.f;
            float[] xr = new float[channels];
            for (int p = p0; p < p1; p++) {
                if (vector) {
                    VectorBatchNormRows.squaredDeviations(f, xb, p * channels, mf, channels);
                } else {
                    System.arraycopy(xb, p * channels, xr, 0, channels);
                    for (int j = 0; j < channels; j++) {
                        float d = xr[j] - mf[j];
                        f[j] += d * d;
                    }
                }
                s.added();
            }
        });
        float[] mean = new float[channels];
        float[] var = new float[channels];
        float[] inv = new float[channels];
        for (int c = 0; c < channels; c++) {
            store(c, sum[c] / count, mf[c], sq[c], count, eps, mean, var, inv);
        }
        return new Statistics(mean, var, inv, count);
    }

    /**
     * Stores channel {@code c}'s statistics from its mean {@code m}, the float mean {@code mf} the deviations
     * were taken about and their sum of squares: {@code sum (x - m)^2 = sum (x - mf)^2 - N (m - mf)^2}.
     */
    private static void store(int c, double m, float mf, double squares, long count, double eps, float[] mean,
                              float[] var, float[] inv) {
        double shift = m - mf;
        double v = Math.max(0.0, squares / count - shift * shift);
        mean[c] = (float) m;
        var[c] = (float) v;
        inv[c] = (float) (1.0 / Math.sqrt(v + eps));
    }

    // ------------------------------------------------------------------------------------------------ forward

    /** y[b] = gelu?(gamma * (x - mean) * invStd + beta); y[b] may be a different array only (x is kept for the backward). */
    static void normalizeChw(float[][] x, int channels, int hw, Statistics s, float[] gamma, float[] beta,
                             boolean gelu, float[][] y) {
        int batch = checkForward(x, y, channels, hw, s, gamma, beta);
        float[] a = scale(s, gamma, channels);
        float[] sh = shift(s, beta, a, channels);
        ChunkedParallel.forEach(batch * channels, t -> {
            int b = t / channels;
            int c = t % channels;
            float[] xb = x[b];
            float[] yb = y[b];
            int off = c * hw;
            float ac = a[c];
            if (gelu) {
                for (int i = off, end = off + hw; i < end; i++) {
                    yb[i] = xb[i] * ac;
                }
                Gelu.applyBias(yb, off, hw, sh[c]); // gelu(x a + s), the same float operations as z below
            } else {
                float sc = sh[c];
                for (int i = off, end = off + hw; i < end; i++) {
                    yb[i] = xb[i] * ac + sc;
                }
            }
        });
    }

    /** As {@link #normalizeChw} on a channel-last batch {@code x[b] = [HW, C]}; parallel over fixed pixel chunks. */
    static void normalizeHwc(float[][] x, int pixels, int channels, Statistics s, float[] gamma, float[] beta,
                             boolean gelu, float[][] y) {
        int batch = checkForward(x, y, channels, pixels, s, gamma, beta);
        float[] a = scale(s, gamma, channels);
        float[] sh = shift(s, beta, a, channels);
        int chunks = chunks(pixels);
        boolean vector = vectorRows(channels);
        ChunkedParallel.forEach(batch * chunks, t -> {
            int b = t / chunks;
            int p0 = (t % chunks) * CHUNK_PIXELS;
            normalizeChunk(x[b], p0 * channels, y[b], p0 * channels, Math.min(pixels, p0 + CHUNK_PIXELS) - p0,
                    channels, a, sh, vector, gelu);
        });
    }

    /**
     * {@code pixels} rows of {@code x} from {@code xo} normalised ({@code x a + sh} per channel) into {@code y}
     * from {@code yo}, then GELU over them when asked: one chunk of the forward, whichever its destination.
     */
    private static void normalizeChunk(float[] x, int xo, float[] y, int yo, int pixels, int channels, float[] a,
                                       float[] sh, boolean vector, boolean gelu) {
        float[] r = vector ? null : new float[channels];
        for (int p = 0; p < pixels; p++) {
            int xp = xo + p * channels;
            int yp = yo + p * channels;
            if (vector) {
                VectorBatchNormRows.normalize(x, xp, y, yp, a, sh, channels);
                continue;
            }
            // through an offset-0 row, which C2 vectorises (as in backwardHwc)
            System.arraycopy(x, xp, r, 0, channels);
            for (int j = 0; j < channels; j++) {
                r[j] = r[j] * a[j] + sh[j];
            }
            System.arraycopy(r, 0, y, yp, channels);
        }
        if (gelu) {
            Gelu.apply(y, yo, pixels * channels);
        }
    }

    /** Per-thread heap chunks for {@link #normalizeHwc(float[], int, int, Statistics, float[], float[], boolean, NativeFloats)}. */
    private static final RowBuffers CHUNKS = new RowBuffers(1);

    /**
     * One image of {@link #normalizeHwc(float[][], int, int, Statistics, float[], float[], boolean, float[][])}
     * written off-heap, {@code y} from index 0 (large enough): the same chunks and operations through a heap chunk
     * each, so the same floats. For a map whose only reader is the next product (a 1x1 convolution's input).
     *
     * @param x {@code [pixels, channels]}
     */
    static void normalizeHwc(float[] x, int pixels, int channels, Statistics s, float[] gamma, float[] beta,
                             boolean gelu, NativeFloats y) {
        if (s == null || pixels <= 0 || s.count() % pixels != 0) {
            throw new IllegalArgumentException("statistics " + (s == null ? "are null" : "count " + s.count()
                    + " is not a whole number of " + pixels + "-pixel images"));
        }
        checkParameters((int) (s.count() / pixels), channels, pixels, s, gamma, beta);
        requireLength(x, "x", pixels * channels);
        y.requireMatrix(0, pixels, channels);
        float[] a = scale(s, gamma, channels);
        float[] sh = shift(s, beta, a, channels);
        int chunks = chunks(pixels);
        boolean vector = vectorRows(channels);
        ChunkedParallel.forEach(chunks, k -> {
            int p0 = k * CHUNK_PIXELS;
            int n = Math.min(pixels, p0 + CHUNK_PIXELS) - p0;
            float[] chunk = CHUNKS.get(CHUNK_PIXELS * channels)[0];
            normalizeChunk(x, p0 * channels, chunk, 0, n, channels, a, sh, vector, gelu);
            y.put(p0 * channels, chunk, 0, n * channels);
        });
    }

    // ------------------------------------------------------------------------------------------------ backward

    /**
     * Backward. x = the BatchNorm INPUT as stored by the forward; dy[b] = dLoss/d(output) where output is
     * gelu(z) when gelu, else z, z = gamma*xhat + beta (z and GELU'(z) are recomputed from x and s).
     * dx[b] = dLoss/dx, OVERWRITTEN (dx[b] may be the same array as dy[b]); dGamma, dBeta ACCUMULATED (+=).
     * Channel-first {@code [C, HW]}; parallel over channels.
     */
    static void backwardChw(float[][] x, int channels, int hw, Statistics s, float[] gamma, float[] beta,
                            boolean gelu, float[][] dy, float[][] dx, float[] dGamma, float[] dBeta) {
        checkBackward(x, dy, dx, channels, hw, s, gamma, beta, dGamma, dBeta);
        float[] a = scale(s, gamma, channels);
        float[] sh = shift(s, beta, a, channels);
        long n = s.count();
        ChunkedParallel.forEach(channels, c -> {
            int off = c * hw;
            float m = s.mean()[c];
            float is = s.invStd()[c];
            float ac = a[c];
            float sc = sh[c];
            Lanes sg = new Lanes(LANES);
            Lanes sgx = new Lanes(LANES);
            float[] fg = sg.f;
            float[] fgx = sgx.f;
            float[] d = new float[LANES];
            float[] xr = new float[LANES];
            float[] gr = new float[LANES];
            // pass 1: g = dy GELU'(z) into dx, and the channel's sums of g and g xhat
            for (int b = 0; b < x.length; b++) {
                float[] xb = x[b];
                float[] dyb = dy[b];
                float[] dxb = dx[b];
                for (int o = off, end = off + hw; o < end; o += LANES) {
                    int len = Math.min(LANES, end - o);
                    // the run of x and dy copied to offset-0 rows first: C2 vectorises a loop only when every array
                    // shares one index, and these loops mix the run's offset with the lanes'; the same float
                    // operations in the same order per lane, so the same bits
                    System.arraycopy(xb, o, xr, 0, len);
                    System.arraycopy(dyb, o, gr, 0, len);
                    if (gelu) {
                        for (int j = 0; j < len; j++) {
                            d[j] = xr[j] * ac + sc;
                        }
                        Gelu.derivative(d, 0, len, null, d);
                        for (int j = 0; j < len; j++) {
                            gr[j] = gr[j] * d[j];
                        }
                    }
                    for (int j = 0; j < len; j++) {
                        float g = gr[j];
                        fg[j] += g;
                        fgx[j] += g * ((xr[j] - m) * is);
                    }
                    System.arraycopy(gr, 0, dxb, o, len);
                    sg.added();
                    sgx.added();
                }
            }
            double dB = sg.total();
            double dG = sgx.total();
            double k = (double) gamma[c] * is;
            float c1 = (float) k;
            float c0 = (float) (k * dB / n);
            float c2 = (float) (k * dG / n);
            // pass 2: dx = gamma invStd / N (N g - dBeta - xhat dGamma)
            for (int b = 0; b < x.length; b++) {
                float[] xb = x[b];
                float[] dxb = dx[b];
                for (int i = off, end = off + hw; i < end; i++) {
                    dxb[i] = c1 * dxb[i] - c0 - c2 * ((xb[i] - m) * is);
                }
            }
            dGamma[c] += (float) dG;
            dBeta[c] += (float) dB;
        });
    }

    /** As {@link #backwardChw} on a channel-last batch {@code [HW, C]}; parallel over fixed pixel chunks. */
    static void backwardHwc(float[][] x, int pixels, int channels, Statistics s, float[] gamma, float[] beta,
                            boolean gelu, float[][] dy, float[][] dx, float[] dGamma, float[] dBeta) {
        InputGradient k = backwardHwcSums(x, pixels, channels, s, gamma, beta, gelu, dy, dx, dGamma, dBeta);
        int chunks = chunks(pixels);
        ChunkedParallel.forEach(x.length * chunks, t -> {
            int b = t / chunks;
            int p0 = (t % chunks) * CHUNK_PIXELS;
            k.rows(x[b], p0 * channels, dx[b], p0 * channels, Math.min(pixels, p0 + CHUNK_PIXELS) - p0);
        });
    }

    /**
     * The second pass of {@link #backwardHwc} for one image, {@code dLoss/dx = c1 g - c0 - c2 xhat} per channel:
     * what remains of the backward once the batch's sums are known ({@link #backwardHwcSums}).
     */
    record InputGradient(float[] c0, float[] c1, float[] c2, float[] mean, float[] invStd, boolean vector) {

        /** {@code pixels} rows of {@code g} from {@code go} into {@code dLoss/dx} in place, {@code x} read from {@code xo}. */
        void rows(float[] x, int xo, float[] g, int go, int pixels) {
            int channels = c0.length;
            float[] xr = vector ? null : new float[channels];
            float[] gr = vector ? null : new float[channels];
            for (int p = 0; p < pixels; p++) {
                int xp = xo + p * channels;
                int gp = go + p * channels;
                if (vector) {
                    VectorBatchNormRows.inputGradient(x, xp, g, gp, c0, c1, c2, mean, invStd, channels);
                    continue;
                }
                System.arraycopy(x, xp, xr, 0, channels);
                System.arraycopy(g, gp, gr, 0, channels);
                for (int j = 0; j < channels; j++) {
                    gr[j] = c1[j] * gr[j] - c0[j] - c2[j] * ((xr[j] - mean[j]) * invStd[j]);
                }
                System.arraycopy(gr, 0, g, gp, channels);
            }
        }

        /**
         * One image's {@code dLoss/dx} ({@code [pixels, channels]}) from pass one's {@code g} into {@code into}
         * from index 0 (large enough), through a heap chunk per task: the same chunks and operations as
         * {@link #backwardHwc}'s second pass, so the same floats; for a layer whose next reader is a product.
         */
        void image(float[] x, float[] g, int pixels, NativeFloats into) {
            int channels = c0.length;
            into.requireMatrix(0, pixels, channels);
            ChunkedParallel.forEach(chunks(pixels), k -> {
                int p0 = k * CHUNK_PIXELS;
                int n = Math.min(pixels, p0 + CHUNK_PIXELS) - p0;
                float[] chunk = CHUNKS.get(CHUNK_PIXELS * channels)[0];
                System.arraycopy(g, p0 * channels, chunk, 0, n * channels);
                rows(x, p0 * channels, chunk, 0, n);
                into.put(p0 * channels, chunk, 0, n * channels);
            });
        }
    }

    /**
     * The first pass of {@link #backwardHwc} over the batch: {@code dx} gets {@code g} (dy through GELU when the
     * layer has it), {@code dGamma} and {@code dBeta} their sums; returns what the second pass needs.
     */
    static InputGradient backwardHwcSums(float[][] x, int pixels, int channels, Statistics s, float[] gamma,
                                         float[] beta, boolean gelu, float[][] dy, float[][] dx, float[] dGamma,
                                         float[] dBeta) {
        checkBackward(x, dy, dx, channels, pixels, s, gamma, beta, dGamma, dBeta);
        float[] a = scale(s, gamma, channels);
        float[] sh = shift(s, beta, a, channels);
        float[] m = s.mean();
        float[] is = s.invStd();
        long n = s.count();
        boolean vector = vectorRows(channels);
        // pass 1: g into dx; per-chunk sums of g and g xhat (two C-wide halves of one 2C-wide lane set)
        ChunkBody pass1 = vector ? vectorGradientPass(x, dy, dx, channels, gelu ? a : null, sh, m, is)
                : (b, p0, p1, l) -> {
            float[] xb = x[b];
            float[] dyb = dy[b];
            float[] dxb = dx[b];
            // every loop over offset-0 rows of one pixel (C2 vectorises a loop only when its arrays share one
            // index): the pixel's x and dy copied in, the sums of g and g xhat in two C-wide rows moved into the
            // lanes before each flush; the same operations in the same order, so the same bits
            float[] d = new float[channels];
            float[] xr = new float[channels];
            float[] gr = new float[channels];
            float[] fg = new float[channels];
            float[] fgx = new float[channels];
            int pending = 0;
            for (int p = p0; p < p1; p++) {
                int o = p * channels;
                System.arraycopy(xb, o, xr, 0, channels);
                System.arraycopy(dyb, o, gr, 0, channels);
                if (gelu) {
                    for (int j = 0; j < channels; j++) {
                        d[j] = xr[j] * a[j] + sh[j];
                    }
                    Gelu.derivative(d, 0, channels, null, d);
                    for (int j = 0; j < channels; j++) {
                        gr[j] = gr[j] * d[j];
                    }
                }
                System.arraycopy(gr, 0, dxb, o, channels);
                for (int j = 0; j < channels; j++) {
                    float g = gr[j];
                    fg[j] += g;
                    fgx[j] += g * ((xr[j] - m[j]) * is[j]);
                }
                if (++pending == FLUSH || p == p1 - 1) {
                    flushGradientSums(fg, fgx, l);
                    pending = 0;
                }
            }
        };
        double[] sums = chunkSums(x.length, pixels, 2 * channels, pass1);
        float[] c0 = new float[channels];
        float[] c1 = new float[channels];
        float[] c2 = new float[channels];
        for (int c = 0; c < channels; c++) {
            double k = (double) gamma[c] * is[c];
            c1[c] = (float) k;
            c0[c] = (float) (k * sums[c] / n);
            c2[c] = (float) (k * sums[channels + c] / n);
        }
        for (int c = 0; c < channels; c++) {
            dGamma[c] += (float) sums[channels + c];
            dBeta[c] += (float) sums[c];
        }
        return new InputGradient(c0, c1, c2, m, is, vector);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * {@link #backwardHwc}'s first pass through {@link VectorBatchNormRows}, with GELU when {@code a} is not null:
     * one body per case, so the compiled loop holds only the vector kernel it calls (a body holding both ran past
     * C2's inlining budget, and the kernel's vector helper was then called out of line, boxing its vectors).
     */
    private static ChunkBody vectorGradientPass(float[][] x, float[][] dy, float[][] dx, int channels, float[] a,
                                                float[] sh, float[] m, float[] is) {
        if (a != null) {
            return (b, p0, p1, l) -> {
                float[] fg = new float[channels];
                float[] fgx = new float[channels];
                for (int p = p0; p < p1; p += FLUSH) {
                    for (int q = p, end = Math.min(p1, p + FLUSH); q < end; q++) {
                        VectorBatchNormRows.geluGradient(x[b], dy[b], dx[b], q * channels, a, sh, m, is, fg, fgx,
                                channels);
                    }
                    flushGradientSums(fg, fgx, l);
                }
            };
        }
        return (b, p0, p1, l) -> {
            float[] fg = new float[channels];
            float[] fgx = new float[channels];
            for (int p = p0; p < p1; p += FLUSH) {
                for (int q = p, end = Math.min(p1, p + FLUSH); q < end; q++) {
                    VectorBatchNormRows.gradient(x[b], dy[b], dx[b], q * channels, m, is, fg, fgx, channels);
                }
                flushGradientSums(fg, fgx, l);
            }
        };
    }

    /** Moves the sums of g and g xhat (two C-wide rows) into the chunk's 2C-wide lanes, flushed, and clears them. */
    private static void flushGradientSums(float[] fg, float[] fgx, Lanes l) {
        int channels = fg.length;
        System.arraycopy(fg, 0, l.f, 0, channels);
        System.arraycopy(fgx, 0, l.f, channels, channels);
        l.flush();
        java.util.Arrays.fill(fg, 0f);
        java.util.Arrays.fill(fgx, 0f);
    }

    /** A channel-last chunk body: adds pixels {@code [p0, p1)} of image {@code b} into {@code lanes}. */
    private interface ChunkBody {
        void run(int b, int p0, int p1, Lanes lanes);
    }

    /**
     * Whether the channel-last passes run {@link VectorBatchNormRows} (the same bits): the Vector API's module is
     * present ({@link VectorSupport#enabled()}) and {@code channels} is a whole number of vectors.
     */
    private static boolean vectorRows(int channels) {
        return VectorSupport.enabled() && VectorBatchNormRows.supports(channels);
    }

    private static int chunks(int pixels) {
        return (pixels + CHUNK_PIXELS - 1) / CHUNK_PIXELS;
    }

    /** Per-lane sums over all (image, pixel chunk) tasks, computed in parallel, merged in task order. */
    private static double[] chunkSums(int batch, int pixels, int width, ChunkBody body) {
        int chunks = chunks(pixels);
        double[][] partial = new double[batch * chunks][];
        ChunkedParallel.forEach(partial.length, t -> {
            int p0 = (t % chunks) * CHUNK_PIXELS;
            Lanes l = new Lanes(width);
            body.run(t / chunks, p0, Math.min(pixels, p0 + CHUNK_PIXELS), l);
            partial[t] = l.flushed();
        });
        double[] sum = new double[width];
        for (double[] p : partial) {
            for (int i = 0; i < width; i++) {
                sum[i] += p[i];
            }
        }
        return sum;
    }

    /** {@code a = gamma invStd}. */
    private static float[] scale(Statistics s, float[] gamma, int channels) {
        float[] a = new float[channels];
        for (int c = 0; c < channels; c++) {
            a[c] = gamma[c] * s.invStd()[c];
        }
        return a;
    }

    /** {@code s = beta - mean a}, so {@code z = x a + s}. */
    private static float[] shift(Statistics s, float[] beta, float[] a, int channels) {
        float[] sh = new float[channels];
        for (int c = 0; c < channels; c++) {
            sh[c] = beta[c] - s.mean()[c] * a[c];
        }
        return sh;
    }

    private static int checkForward(float[][] x, float[][] y, int channels, int hw, Statistics s, float[] gamma,
                                    float[] beta) {
        requireBatch(x, "x", x == null ? 0 : x.length, channels, hw);
        requireBatch(y, "y", x.length, channels, hw);
        for (int b = 0; b < x.length; b++) {
            if (x[b] == y[b]) {
                throw new IllegalArgumentException("y[" + b + "] is x[" + b + "]: the backward needs the input kept");
            }
        }
        checkParameters(x.length, channels, hw, s, gamma, beta);
        return x.length;
    }

    private static void checkBackward(float[][] x, float[][] dy, float[][] dx, int channels, int hw, Statistics s,
                                      float[] gamma, float[] beta, float[] dGamma, float[] dBeta) {
        requireBatch(x, "x", x == null ? 0 : x.length, channels, hw);
        requireBatch(dy, "dy", x.length, channels, hw);
        requireBatch(dx, "dx", x.length, channels, hw);
        checkParameters(x.length, channels, hw, s, gamma, beta);
        requireLength(dGamma, "dGamma", channels);
        requireLength(dBeta, "dBeta", channels);
        for (int b = 0; b < x.length; b++) {
            if (dx[b] == x[b]) {
                throw new IllegalArgumentException("dx[" + b + "] is x[" + b + "]: x is read after dx is written");
            }
        }
    }

    private static void checkParameters(int batch, int channels, int hw, Statistics s, float[] gamma, float[] beta) {
        if (s == null) {
            throw new IllegalArgumentException("statistics are null");
        }
        requireLength(s.mean(), "mean", channels);
        requireLength(s.invStd(), "invStd", channels);
        if (s.count() != (long) batch * hw) {
            throw new IllegalArgumentException("statistics count " + s.count() + " is not B*HW = " + batch + "*" + hw
                    + ": they belong to another batch");
        }
        requireLength(gamma, "gamma", channels);
        requireLength(beta, "beta", channels);
    }

    private static void requireBatch(float[][] maps, String name, int batch, int channels, int hw) {
        if (channels <= 0 || hw <= 0) {
            throw new IllegalArgumentException("channels " + channels + " and pixels " + hw + " must be positive");
        }
        if (maps == null || maps.length == 0) {
            throw new IllegalArgumentException(name + " holds no image");
        }
        if (maps.length != batch) {
            throw new IllegalArgumentException(name + " holds " + maps.length + " images, expected " + batch);
        }
        long need = (long) channels * hw;
        for (int b = 0; b < maps.length; b++) {
            if (maps[b] == null || maps[b].length < need) {
                throw new IllegalArgumentException(name + "[" + b + "] has " + (maps[b] == null ? "no array" :
                        maps[b].length + " values") + ", needs " + channels + "*" + hw + " = " + need);
            }
        }
    }

    private static void requireLength(float[] a, String name, int n) {
        if (a == null || a.length < n) {
            throw new IllegalArgumentException(name + " has " + (a == null ? "no array" : a.length + " values")
                    + ", needs " + n);
        }
    }
}

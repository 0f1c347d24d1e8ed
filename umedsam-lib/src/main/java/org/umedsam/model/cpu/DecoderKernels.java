package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * Element-wise and row-wise kernels of the CPU mask decoder on row-major heap arrays: LayerNorm over
 * rows, softmax over row segments, exact (erf) GELU, and a chunked parallel loop.
 */
final class DecoderKernels {

    private DecoderKernels() {
    }

    /** Work below this many elements runs on the calling thread only. */
    private static final int PARALLEL_MIN = 1 << 15;

    /** A loop body over {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /**
     * Per-chunk partial sums of a {@link #parallel} loop, added in chunk order afterwards: the
     * result then does not depend on which thread finishes first, so a training run is
     * bit-reproducible (a resumed run must reach the uninterrupted run's weights).
     */
    static final class OrderedMerge {
        private final java.util.concurrent.ConcurrentSkipListMap<Integer, Runnable> merges =
                new java.util.concurrent.ConcurrentSkipListMap<>();

        /** Registers the merge of the chunk starting at {@code from}. */
        void add(int from, Runnable merge) {
            merges.put(from, merge);
        }

        /** Runs the registered merges in chunk order and forgets them. */
        void run() {
            for (Runnable r : merges.values()) {
                r.run();
            }
            merges.clear();
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks, in parallel when {@code n * costPerItem}
     * is large enough to pay for the fork.
     */
    static void parallel(int n, int costPerItem, Range body) {
        long work = (long) n * costPerItem;
        int threads = Runtime.getRuntime().availableProcessors();
        if (work < PARALLEL_MIN || threads == 1 || n < 2) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            body.run(from, to);
        });
    }

    /**
     * LayerNorm of each row of {@code x [rows, dim]} in place (biased variance, as PyTorch):
     * {@code (x - mean) / sqrt(var + eps) * w + b}.
     */
    static void layerNormRows(float[] x, int rows, int dim, float[] w, float[] b, float eps) {
        parallel(rows, dim * 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                layerNormRow(x, r * dim, dim, w, b, eps);
            }
        });
    }

    /** LayerNorm of {@code x[off, off + dim)} in place. */
    static void layerNormRow(float[] x, int off, int dim, float[] w, float[] b, float eps) {
        // four independent partial sums: the adds pipeline instead of waiting on one another
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i4 = dim & ~3;
        for (int i = 0; i < i4; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (int i = i4; i < dim; i++) {
            s0 += x[off + i];
        }
        float mean = ((s0 + s1) + (s2 + s3)) / dim;
        float q0 = 0;
        float q1 = 0;
        float q2 = 0;
        float q3 = 0;
        for (int i = 0; i < i4; i += 4) {
            float d0 = x[off + i] - mean;
            float d1 = x[off + i + 1] - mean;
            float d2 = x[off + i + 2] - mean;
            float d3 = x[off + i + 3] - mean;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
        }
        for (int i = i4; i < dim; i++) {
            float d = x[off + i] - mean;
            q0 += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(((q0 + q1) + (q2 + q3)) / dim + eps));
        for (int i = 0; i < dim; i++) {
            x[off + i] = (x[off + i] - mean) * inv * w[i] + b[i];
        }
    }

    /** {@code y = x + r} element-wise, {@code n} values (y may alias x). */
    static void add(float[] x, float[] r, float[] y, int n) {
        parallel(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[i] = x[i] + r[i];
            }
        });
    }

    /**
     * Softmax in place over each segment of {@code len} consecutive values of {@code x[off, off + count*len)},
     * after scaling the scores by {@code scale}.
     */
    static void softmaxSegments(float[] x, int off, int count, int len, float scale) {
        for (int s = 0; s < count; s++) {
            int o = off + s * len;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                max = Math.max(max, x[o + i]);
            }
            double sum = 0;
            for (int i = 0; i < len; i++) {
                float e = (float) Math.exp((x[o + i] - max) * scale);
                x[o + i] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int i = 0; i < len; i++) {
                x[o + i] *= inv;
            }
        }
    }

    // Abramowitz & Stegun 7.1.28: erf(x) = 1 - (1 + a1 x + ... + a6 x^6)^-16 for x >= 0, |error| <= 3e-7
    private static final double A1 = 0.0705230784;
    private static final double A2 = 0.0422820123;
    private static final double A3 = 0.0092705272;
    private static final double A4 = 0.0001520143;
    private static final double A5 = 0.0002765672;
    private static final double A6 = 0.0000430638;

    /** erf without exp (A&S 7.1.28), absolute error at most 3e-7. */
    static double erf(double x) {
        double a = Math.abs(x);
        double p = 1.0 + a * (A1 + a * (A2 + a * (A3 + a * (A4 + a * (A5 + a * A6)))));
        p *= p; // ^2
        p *= p; // ^4
        p *= p; // ^8
        p *= p; // ^16
        double r = 1.0 - 1.0 / p;
        return x < 0 ? -r : r;
    }

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float B1 = (float) A1;
    private static final float B2 = (float) A2;
    private static final float B3 = (float) A3;
    private static final float B4 = (float) A4;
    private static final float B5 = (float) A5;
    private static final float B6 = (float) A6;

    /**
     * Exact GELU {@code x/2 (1 + erf(x / sqrt 2))} (PyTorch's nn.GELU default), written branch-free as
     * {@code (x + |x| erf(|x| / sqrt 2)) / 2} with A&S 7.1.28 in float so that the JIT can vectorise
     * a loop over it; absolute error of the erf term at most about 4e-7.
     */
    static float gelu(float x) {
        float a = Math.abs(x);
        float u = a * INV_SQRT2;
        float p = 1f + u * (B1 + u * (B2 + u * (B3 + u * (B4 + u * (B5 + u * B6)))));
        p *= p;
        p *= p;
        p *= p;
        p *= p; // ^16; overflows to +inf for |x| > ~25, where 1/p = 0 is right
        return 0.5f * (x + a * (1f - 1f / p));
    }

    /** {@link #gelu} of {@code x[from, to)} in place. */
    static void geluInPlace(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            float a = Math.abs(v);
            float u = a * INV_SQRT2;
            float p = 1f + u * (B1 + u * (B2 + u * (B3 + u * (B4 + u * (B5 + u * B6)))));
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            x[i] = 0.5f * (v + a * (1f - 1f / p));
        }
    }
}

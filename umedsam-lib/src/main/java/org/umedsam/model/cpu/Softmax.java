package org.umedsam.model.cpu;


/**
 * Row-wise softmax in place on heap arrays, {@code y_i = exp(x_i - max x) / sum_j exp(x_j - max x)}
 * (PyTorch {@code softmax(x, -1)}), optionally of scaled scores (attention's {@code 1/sqrt(d)}), with
 * {@link FastExp}.
 */
public final class Softmax {

    private Softmax() {
    }

    /** Softmax of each of {@code rows} consecutive rows of length {@code n} starting at {@code off}, on the calling thread. */
    public static void rows(float[] x, int off, int rows, int n) {
        rows(x, off, rows, n, 1f);
    }

    /** As {@link #rows(float[], int, int, int)} of the scores scaled by {@code scale > 0}: {@code softmax(scale x)}. */
    public static void rows(float[] x, int off, int rows, int n, float scale) {
        for (int r = 0; r < rows; r++) {
            row(x, off + r * n, n, scale);
        }
    }

    /** As {@link #rows(float[], int, int, int)}, split over the common pool by rows. */
    public static void rowsParallel(float[] x, int off, int rows, int n) {
        int per = Math.max(1, (1 << 14) / Math.max(1, n));
        int tasks = (rows + per - 1) / per;
        ChunkedParallel.forEach(tasks, t -> {
            int r0 = t * per;
            rows(x, off + r0 * n, Math.min(per, rows - r0), n);
        });
    }

    /** Softmax of {@code scale * x[off .. off+n)} in place, {@code scale > 0}. */
    public static void row(float[] x, int off, int n, float scale) {
        int end = off + n;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        // a double sum: rows are up to 4096 long (the decoder's attention over the image)
        double sum = 0;
        for (int i = off; i < end; i++) {
            float e = FastExp.expNonPositive((x[i] - max) * scale);
            x[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = off; i < end; i++) {
            x[i] *= inv;
        }
    }

    /**
     * As {@link #row} for long rows (the decoder's token-to-image attention, 4096 image tokens), in separate
     * passes: the exponentials (independent of one another, so they pipeline), then the sum in eight float
     * partial sums (instead of one double sum, whose add latency bounded {@link #row}), then the
     * normalisation. Each partial sum adds a strided eighth of the row; the float rounding of the sum is
     * about {@code 1e-7 * sqrt(n / 8)} relative.
     */
    static void wideRow(float[] x, int off, int n, float scale) {
        int end = off + n;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        for (int i = off; i < end; i++) {
            x[i] = FastExp.expNonPositive((x[i] - max) * scale);
        }
        divideByEightLaneSum(x, off, n);
    }

    /**
     * Softmax down columns {@code [c0, c1)} of the {@code [n, stride]} block at {@code off}, in place:
     * {@code y_ij = exp(s (x_ij - max_k x_kj)) / sum_k exp(s (x_kj - max_k x_kj))} with {@code s = scale > 0}
     * (PyTorch {@code softmax(scale * x, 0)} on the block), on the calling thread. For short softmax axes
     * (the decoder's image-to-token attention has 7 tokens per head): a row-wise layout would mean one call per
     * 7 values, while here each pass runs along a row of the block. The sum is in float (n is small).
     *
     * @param tmp scratch of at least {@code c1 - c0} values
     */
    static void columns(float[] x, int off, int n, int stride, int c0, int c1, float scale, float[] tmp) {
        int w = c1 - c0;
        columnMax(x, off, n, stride, c0, w, tmp);
        for (int r = 0; r < n; r++) {
            int o = off + r * stride + c0;
            for (int j = 0; j < w; j++) {
                x[o + j] = FastExp.expNonPositive((x[o + j] - tmp[j]) * scale);
            }
        }
        divideColumnsBySum(x, off, n, stride, c0, w, tmp);
    }

    /**
     * As {@link #wideRow} with the exponentials of {@link FastExp#expScaledVector} (vectorised, about
     * 1.5e-7 absolute on each {@code exp(s (x - max))}, against about 2 ulp relative): for the decoder's
     * inference schedule, where the exponentials of {@code H T} rows of 4096 image tokens per attention were
     * the largest Java cost. The sum is as in {@link #wideRow}.
     */
    static void wideRowVector(float[] x, int off, int n, float scale) {
        int end = off + n;
        // the maximum in eight running maxima (one chain would wait on each max's latency); max is exact,
        // so the order does not change the result
        float m0 = Float.NEGATIVE_INFINITY;
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        float m4 = m0;
        float m5 = m0;
        float m6 = m0;
        float m7 = m0;
        int k = off;
        for (; k + 8 <= end; k += 8) {
            m0 = Math.max(m0, x[k]);
            m1 = Math.max(m1, x[k + 1]);
            m2 = Math.max(m2, x[k + 2]);
            m3 = Math.max(m3, x[k + 3]);
            m4 = Math.max(m4, x[k + 4]);
            m5 = Math.max(m5, x[k + 5]);
            m6 = Math.max(m6, x[k + 6]);
            m7 = Math.max(m7, x[k + 7]);
        }
        for (; k < end; k++) {
            m0 = Math.max(m0, x[k]);
        }
        float max = Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)), Math.max(Math.max(m4, m5), Math.max(m6, m7)));
        FastExp.expScaledVector(x, off, n, max, scale);
        divideByEightLaneSum(x, off, n);
    }

    /**
     * As {@link #columns} with the exponentials of {@link FastExp#expScaledVector} (see {@link #wideRowVector}),
     * each row's run {@code [c0, c1)} exponentiated in {@code row} (offset 0, the form C2 vectorises).
     *
     * @param tmp scratch of at least {@code c1 - c0} values
     * @param row scratch of at least {@code c1 - c0} values
     */
    static void columnsVector(float[] x, int off, int n, int stride, int c0, int c1, float scale, float[] tmp,
                              float[] row) {
        int w = c1 - c0;
        columnMax(x, off, n, stride, c0, w, tmp);
        for (int r = 0; r < n; r++) {
            int o = off + r * stride + c0;
            System.arraycopy(x, o, row, 0, w);
            FastExp.expScaledVector(row, tmp, w, scale);
            System.arraycopy(row, 0, x, o, w);
        }
        divideColumnsBySum(x, off, n, stride, c0, w, tmp);
    }

    /**
     * {@code x[off .. off + n) /= their sum}, the sum in eight float partial sums, each over a strided eighth of the
     * range, added pairwise at the end (the normalisation of {@link #wideRow} and {@link #wideRowVector}).
     */
    private static void divideByEightLaneSum(float[] x, int off, int n) {
        int end = off + n;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = off;
        for (; i + 8 <= end; i += 8) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
            s4 += x[i + 4];
            s5 += x[i + 5];
            s6 += x[i + 6];
            s7 += x[i + 7];
        }
        for (; i < end; i++) {
            s0 += x[i];
        }
        float inv = 1f / (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        for (int j = off; j < end; j++) {
            x[j] *= inv;
        }
    }

    /** {@code tmp[j] = max_r x[off + r stride + c0 + j]} for {@code j < w}, {@code r < n}. */
    private static void columnMax(float[] x, int off, int n, int stride, int c0, int w, float[] tmp) {
        System.arraycopy(x, off + c0, tmp, 0, w);
        for (int r = 1; r < n; r++) {
            int o = off + r * stride + c0;
            for (int j = 0; j < w; j++) {
                tmp[j] = Math.max(tmp[j], x[o + j]);
            }
        }
    }

    /** Divides columns {@code [c0, c0 + w)} of the {@code [n, stride]} block at {@code off} by their float sums ({@code tmp}: scratch of {@code w}). */
    private static void divideColumnsBySum(float[] x, int off, int n, int stride, int c0, int w, float[] tmp) {
        System.arraycopy(x, off + c0, tmp, 0, w);
        for (int r = 1; r < n; r++) {
            int o = off + r * stride + c0;
            for (int j = 0; j < w; j++) {
                tmp[j] += x[o + j];
            }
        }
        for (int j = 0; j < w; j++) {
            tmp[j] = 1f / tmp[j];
        }
        for (int r = 0; r < n; r++) {
            int o = off + r * stride + c0;
            for (int j = 0; j < w; j++) {
                x[o + j] *= tmp[j];
            }
        }
    }
}

package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * Row-wise softmax in place on heap arrays, {@code y_i = exp(x_i - max x) / sum_j exp(x_j - max x)}
 * (PyTorch {@code softmax(x, -1)}), with {@link FastExp}.
 */
public final class Softmax {

    private Softmax() {
    }

    /** Softmax of each of {@code rows} consecutive rows of length {@code n} starting at {@code off}, on the calling thread. */
    public static void rows(float[] x, int off, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            row(x, off + r * n, n);
        }
    }

    /** As {@link #rows}, split over the common pool by rows. */
    public static void rowsParallel(float[] x, int off, int rows, int n) {
        int per = Math.max(1, (1 << 14) / Math.max(1, n));
        int tasks = (rows + per - 1) / per;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int r0 = t * per;
            rows(x, off + r0 * n, Math.min(per, rows - r0), n);
        });
    }

    /** Softmax of {@code x[off .. off+n)} in place. */
    public static void row(float[] x, int off, int n) {
        int end = off + n;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        FastExp.expShifted(x, off, n, max);
        float sum = 0f;
        for (int i = off; i < end; i++) {
            sum += x[i];
        }
        float inv = 1f / sum;
        for (int i = off; i < end; i++) {
            x[i] *= inv;
        }
    }
}

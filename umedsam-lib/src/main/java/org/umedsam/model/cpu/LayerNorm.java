package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * Layer normalisation on heap arrays, biased variance as PyTorch:
 * {@code y = (x - mean) / sqrt(var + eps) * w + b}.
 *
 * <p>{@link #rows} normalises over the last axis ({@code nn.LayerNorm} on {@code [rows, dim]}, and SAM's
 * LayerNorm2d on a channel-last map); {@link #channels} normalises over the channel axis of a
 * channel-first map {@code [C, HW]} (SAM's LayerNorm2d on NCHW).
 */
public final class LayerNorm {

    private static final int ROWS_PER_TASK_ELEMENTS = 1 << 14;
    private static final int PIXELS_PER_TASK = 1024;

    private LayerNorm() {
    }

    /**
     * Normalises each row of {@code x [rows, dim]} (from {@code xOff}) into {@code y} (from {@code yOff});
     * {@code y} may be {@code x}. Split over the common pool by rows.
     */
    public static void rows(float[] x, int xOff, float[] y, int yOff, int rows, int dim, float[] w, float[] b, float eps) {
        check(w, b, dim);
        int per = Math.max(1, ROWS_PER_TASK_ELEMENTS / dim);
        int tasks = (rows + per - 1) / per;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int r1 = Math.min(rows, (t + 1) * per);
            for (int r = t * per; r < r1; r++) {
                row(x, xOff + r * dim, y, yOff + r * dim, dim, w, b, eps);
            }
        });
    }

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    /** One row {@code x[xOff .. xOff+dim)} into {@code y[yOff ..)}, on the calling thread. */
    public static void row(float[] x, int xOff, float[] y, int yOff, int dim, float[] w, float[] b, float eps) {
        // work on an offset-0 copy: C2 vectorises loops only when all arrays share one index expression
        float[] t = ROW.get();
        if (t.length < dim) {
            t = new float[dim];
            ROW.set(t);
        }
        System.arraycopy(x, xOff, t, 0, dim);
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            sum += t[i];
        }
        float mean = sum / dim;
        float sq = 0f;
        for (int i = 0; i < dim; i++) {
            float d = t[i] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / dim + eps));
        for (int i = 0; i < dim; i++) {
            t[i] = (t[i] - mean) * inv * w[i] + b[i];
        }
        System.arraycopy(t, 0, y, yOff, dim);
    }

    /**
     * Normalises a channel-first map {@code x [C, HW]} over C at every pixel into {@code y [C, HW]}
     * ({@code y} may be {@code x}). Split over the common pool by pixel blocks.
     */
    public static void channels(float[] x, int xOff, float[] y, int yOff, int c, int hw, float[] w, float[] b, float eps) {
        check(w, b, c);
        int tasks = (hw + PIXELS_PER_TASK - 1) / PIXELS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int p0 = t * PIXELS_PER_TASK;
            int np = Math.min(PIXELS_PER_TASK, hw - p0);
            float[] mean = new float[np];
            float[] sq = new float[np];
            for (int ch = 0; ch < c; ch++) {
                int o = xOff + ch * hw + p0;
                for (int p = 0; p < np; p++) {
                    mean[p] += x[o + p];
                }
            }
            for (int p = 0; p < np; p++) {
                mean[p] /= c;
            }
            for (int ch = 0; ch < c; ch++) {
                int o = xOff + ch * hw + p0;
                for (int p = 0; p < np; p++) {
                    float d = x[o + p] - mean[p];
                    sq[p] += d * d;
                }
            }
            for (int p = 0; p < np; p++) {
                sq[p] = (float) (1.0 / Math.sqrt(sq[p] / c + eps));
            }
            for (int ch = 0; ch < c; ch++) {
                int xo = xOff + ch * hw + p0;
                int yo = yOff + ch * hw + p0;
                float wc = w[ch];
                float bc = b[ch];
                for (int p = 0; p < np; p++) {
                    y[yo + p] = (x[xo + p] - mean[p]) * sq[p] * wc + bc;
                }
            }
        });
    }

    private static void check(float[] w, float[] b, int n) {
        if (w.length != n || b.length != n) {
            throw new IllegalArgumentException("LayerNorm affine needs " + n + " weights and biases, got "
                    + w.length + " and " + b.length);
        }
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.nio.ByteBuffer;

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
        ChunkedParallel.forEach(tasks, t -> {
            int r1 = Math.min(rows, (t + 1) * per);
            for (int r = t * per; r < r1; r++) {
                row(x, xOff + r * dim, y, yOff + r * dim, dim, w, b, eps);
            }
        });
    }

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Whether this JVM's inference normalises rows of {@code dim} by {@link VectorLayerNorm}:
     * {@link VectorSupport#bufferAccess()} (its rows are written in native memory) and whole vectors.
     */
    static boolean vectorRows(int dim) {
        // VectorLayerNorm is only touched when the module is present: loading it without fails
        return VectorSupport.bufferAccess() && VectorLayerNorm.supports(dim);
    }

    /** One row {@code x[xOff .. xOff+dim)} into {@code y[yOff ..)}, on the calling thread. */
    public static void row(float[] x, int xOff, float[] y, int yOff, int dim, float[] w, float[] b, float eps) {
        row(x, xOff, y, yOff, dim, w, b, eps, null, null, 0);
    }

    /**
     * As {@link #row(float[], int, float[], int, int, float[], float[], float)}, keeping for a backward
     * pass (when {@code xhat} is not null) row {@code r} of the normalised values {@code xhat [rows, dim]}
     * and {@code inv[r] = 1 / sqrt(var + eps)}.
     */
    static void row(float[] x, int xOff, float[] y, int yOff, int dim, float[] w, float[] b, float eps,
                    float[] xhat, float[] inv, int r) {
        System.arraycopy(normalised(x, xOff, dim, w, b, eps, xhat, inv, r), 0, y, yOff, dim);
    }

    /**
     * As {@link #rows(float[], int, float[], int, int, int, float[], float[], float)}, into an off-heap buffer
     * {@code y [rows, dim]} from index 0 (grown as needed): the input of the product that follows, written once
     * a row at a time while the row is in cache, instead of to the heap and then staged off-heap.
     *
     * @param vector whether to normalise by {@link VectorLayerNorm} (within rounding of the scalar rows; only when
     *               {@link #vectorRows(int)}), chosen when the caller's snapshot is built
     */
    static void rows(float[] x, int xOff, NativeFloats y, int rows, int dim, float[] w, float[] b, float eps,
                     boolean vector) {
        check(w, b, dim);
        y.ensure((long) rows * dim);
        if (vector) {
            ByteBuffer bytes = y.bytes();
            ChunkedParallel.parallel(rows, dim, (from, to) -> {
                for (int r = from; r < to; r++) {
                    VectorLayerNorm.row(x, xOff + r * dim, dim, w, b, eps, bytes, r * dim);
                }
            });
            return;
        }
        ChunkedParallel.parallel(rows, dim, (from, to) -> {
            for (int r = from; r < to; r++) {
                y.put(r * dim, normalised(x, xOff + r * dim, dim, w, b, eps, null, null, 0), 0, dim);
            }
        });
    }

    /**
     * Training's LayerNorm ({@link DecoderGradientKernels#layerNorm}: the scalar rows, keeping {@code xhat} and
     * {@code inv} for the backward when they are not null) of {@code x [rows, dim]} into an off-heap buffer
     * {@code y} from index 0 (large enough): the same floats, for a product that reads them there.
     */
    static void trainingRows(float[] x, int rows, int dim, float[] w, float[] b, float eps, float[] xhat,
                             float[] inv, NativeFloats y) {
        check(w, b, dim);
        y.requireMatrix(0, rows, dim);
        ChunkedParallel.parallel(rows, dim * 6, (from, to) -> {
            for (int r = from; r < to; r++) {
                y.put(r * dim, normalised(x, r * dim, dim, w, b, eps, xhat, inv, r), 0, dim);
            }
        });
    }

    /** Row {@code x[xOff .. xOff+dim)} normalised, in this thread's scratch row (valid until its next use). */
    private static float[] normalised(float[] x, int xOff, int dim, float[] w, float[] b, float eps,
                                      float[] xhat, float[] inv, int r) {
        // work on an offset-0 copy: C2 vectorises loops only when all arrays share one index expression
        float[] t = ROW.get();
        if (t.length < dim) {
            t = new float[dim];
            ROW.set(t);
        }
        System.arraycopy(x, xOff, t, 0, dim);
        // four independent partial sums: the adds pipeline instead of waiting on one another
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int n4 = dim & ~3;
        for (int i = 0; i < n4; i += 4) {
            s0 += t[i];
            s1 += t[i + 1];
            s2 += t[i + 2];
            s3 += t[i + 3];
        }
        for (int i = n4; i < dim; i++) {
            s0 += t[i];
        }
        float mean = ((s0 + s1) + (s2 + s3)) / dim;
        // centred in place, and the squares summed likewise
        float q0 = 0;
        float q1 = 0;
        float q2 = 0;
        float q3 = 0;
        for (int i = 0; i < n4; i += 4) {
            float d0 = t[i] - mean;
            float d1 = t[i + 1] - mean;
            float d2 = t[i + 2] - mean;
            float d3 = t[i + 3] - mean;
            t[i] = d0;
            t[i + 1] = d1;
            t[i + 2] = d2;
            t[i + 3] = d3;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
        }
        for (int i = n4; i < dim; i++) {
            float d = t[i] - mean;
            t[i] = d;
            q0 += d * d;
        }
        float iv = (float) (1.0 / Math.sqrt(((q0 + q1) + (q2 + q3)) / dim + eps));
        if (xhat != null) {
            inv[r] = iv;
            for (int i = 0; i < dim; i++) {
                t[i] *= iv;
            }
            System.arraycopy(t, 0, xhat, r * dim, dim);
            for (int i = 0; i < dim; i++) {
                t[i] = t[i] * w[i] + b[i];
            }
        } else {
            for (int i = 0; i < dim; i++) {
                t[i] = t[i] * iv * w[i] + b[i];
            }
        }
        return t;
    }

    /**
     * Normalises a channel-first map {@code x [C, HW]} over C at every pixel into {@code y [C, HW]}
     * ({@code y} may be {@code x}). Split over the common pool by pixel blocks.
     */
    public static void channels(float[] x, int xOff, float[] y, int yOff, int c, int hw, float[] w, float[] b, float eps) {
        check(w, b, c);
        int tasks = (hw + PIXELS_PER_TASK - 1) / PIXELS_PER_TASK;
        ChunkedParallel.forEach(tasks, t -> {
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

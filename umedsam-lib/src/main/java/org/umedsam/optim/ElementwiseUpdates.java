package org.umedsam.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The optimizers' per-element arithmetic in one pass over each parameter, in the parameter's own precision
 * (float or double), reading and writing the arrays' native memory in chunks.
 *
 * <p>Why: written as ND4J operations, AdamW's update is about a dozen ops per parameter tensor, five of which
 * allocate a temporary the size of the tensor; for LiteMedSAM's 408 tensors (9.8M values) that was 0.35 s per
 * step and about 200 MB of native garbage per step, freed only when the Java GC runs. Here: no temporary, one
 * read and one write of each array.
 *
 * <p>Numerics: each expression is evaluated in the order and precision ND4J's ops evaluated it (a scalar
 * operand rounded to the array's type first, one rounding per operation, {@code sqrt} correctly rounded), so
 * the results are the same bits; {@code ElementwiseUpdatesTest} checks this against the op sequence.
 */
final class ElementwiseUpdates {

    /** Values per chunk: four arrays of them stay in L2. */
    private static final int CHUNK = 1 << 14;

    private ElementwiseUpdates() {
    }

    /**
     * AdamW's step on one tensor, PyTorch's {@code torch.optim.AdamW} arithmetic:
     * {@code w *= decay; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= (m / (sqrt(v) / sqrt(bc2) + eps)) * stepSize}.
     *
     * @param w     the parameter, updated in place
     * @param g     its gradient, of {@code w}'s type and shape
     * @param m     first moment, updated in place
     * @param v     second moment, updated in place
     * @param decay {@code 1 - lr * weightDecay} (1 without decay: multiplying by 1 changes no bit)
     */
    static void adamW(INDArray w, INDArray g, INDArray m, INDArray v, double decay, double beta1, double beta2,
                      double sqrtBiasCorrection2, double epsilon, double stepSize) {
        INDArray[] io = {writable(w), contiguous(g), writable(m), writable(v)};
        int n = (int) w.length();
        if (w.dataType() == DataType.FLOAT) {
            float d = (float) decay;
            float b1 = (float) beta1;
            float c1 = (float) (1.0 - beta1);
            float b2 = (float) beta2;
            float c2 = (float) (1.0 - beta2);
            float sq = (float) sqrtBiasCorrection2;
            float eps = (float) epsilon;
            float step = (float) stepSize;
            FloatBuffer[] b = floats(io);
            float[][] x = new float[4][Math.min(CHUNK, n)];
            for (int from = 0; from < n; from += CHUNK) {
                int len = Math.min(CHUNK, n - from);
                read(b, x, from, len);
                float[] wc = x[0];
                float[] gc = x[1];
                float[] mc = x[2];
                float[] vc = x[3];
                for (int i = 0; i < len; i++) {
                    float gi = gc[i];
                    float mi = mc[i] * b1 + gi * c1;
                    float vi = vc[i] * b2 + (gi * gi) * c2;
                    float denom = (float) Math.sqrt(vi) / sq + eps;
                    wc[i] = wc[i] * d - (mi / denom) * step;
                    mc[i] = mi;
                    vc[i] = vi;
                }
                write(b, x, from, len, 0, 2, 3);
            }
        } else if (w.dataType() == DataType.DOUBLE) {
            DoubleBuffer[] b = doubles(io);
            double[][] x = new double[4][Math.min(CHUNK, n)];
            double c1 = 1.0 - beta1;
            double c2 = 1.0 - beta2;
            for (int from = 0; from < n; from += CHUNK) {
                int len = Math.min(CHUNK, n - from);
                read(b, x, from, len);
                double[] wc = x[0];
                double[] gc = x[1];
                double[] mc = x[2];
                double[] vc = x[3];
                for (int i = 0; i < len; i++) {
                    double gi = gc[i];
                    double mi = mc[i] * beta1 + gi * c1;
                    double vi = vc[i] * beta2 + (gi * gi) * c2;
                    double denom = Math.sqrt(vi) / sqrtBiasCorrection2 + epsilon;
                    wc[i] = wc[i] * decay - (mi / denom) * stepSize;
                    mc[i] = mi;
                    vc[i] = vi;
                }
                write(b, x, from, len, 0, 2, 3);
            }
        } else {
            throw new IllegalArgumentException("AdamW updates float or double parameters, got " + w.dataType());
        }
        copyBack(w, io[0]);
        copyBack(m, io[2]);
        copyBack(v, io[3]);
    }

    /**
     * SAM's ascent step on one tensor: {@code w += g * scale}, or for ASAM {@code w += (g * scale) * (w * w)}.
     *
     * @param g the gradient, of {@code w}'s type and shape
     */
    static void perturb(INDArray w, INDArray g, double scale, boolean adaptive) {
        INDArray[] io = {writable(w), contiguous(g)};
        int n = (int) w.length();
        if (w.dataType() == DataType.FLOAT) {
            float s = (float) scale;
            FloatBuffer[] b = floats(io);
            float[][] x = new float[2][Math.min(CHUNK, n)];
            for (int from = 0; from < n; from += CHUNK) {
                int len = Math.min(CHUNK, n - from);
                read(b, x, from, len);
                float[] wc = x[0];
                float[] gc = x[1];
                for (int i = 0; i < len; i++) {
                    float e = gc[i] * s;
                    wc[i] = wc[i] + (adaptive ? e * (wc[i] * wc[i]) : e);
                }
                write(b, x, from, len, 0);
            }
        } else if (w.dataType() == DataType.DOUBLE) {
            DoubleBuffer[] b = doubles(io);
            double[][] x = new double[2][Math.min(CHUNK, n)];
            for (int from = 0; from < n; from += CHUNK) {
                int len = Math.min(CHUNK, n - from);
                read(b, x, from, len);
                double[] wc = x[0];
                double[] gc = x[1];
                for (int i = 0; i < len; i++) {
                    double e = gc[i] * scale;
                    wc[i] = wc[i] + (adaptive ? e * (wc[i] * wc[i]) : e);
                }
                write(b, x, from, len, 0);
            }
        } else {
            throw new IllegalArgumentException("SAM perturbs float or double parameters, got " + w.dataType());
        }
        copyBack(w, io[0]);
    }

    private static boolean isContiguous(INDArray a) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && a.length() <= Integer.MAX_VALUE;
    }

    /** {@code a} itself when its values are one row-major run, else a row-major copy to read. */
    private static INDArray contiguous(INDArray a) {
        return isContiguous(a) ? a : a.dup('c');
    }

    /** {@code a} itself when contiguous, else a copy whose result {@link #copyBack} assigns to {@code a}. */
    private static INDArray writable(INDArray a) {
        return contiguous(a);
    }

    private static void copyBack(INDArray target, INDArray written) {
        if (written != target) {
            target.assign(written);
        }
    }

    private static FloatBuffer[] floats(INDArray[] a) {
        FloatBuffer[] b = new FloatBuffer[a.length];
        for (int i = 0; i < a.length; i++) {
            check(a[i], a[0], DataType.FLOAT);
            b[i] = a[i].data().asNioFloat().position((int) a[i].offset()).slice();
        }
        return b;
    }

    private static DoubleBuffer[] doubles(INDArray[] a) {
        DoubleBuffer[] b = new DoubleBuffer[a.length];
        for (int i = 0; i < a.length; i++) {
            check(a[i], a[0], DataType.DOUBLE);
            b[i] = a[i].data().asNioDouble().position((int) a[i].offset()).slice();
        }
        return b;
    }

    private static void check(INDArray a, INDArray w, DataType type) {
        if (a.dataType() != type || a.length() != w.length()) {
            throw new IllegalArgumentException("expected " + w.length() + " " + type + " values, got " + a.length()
                    + " " + a.dataType());
        }
    }

    private static void read(FloatBuffer[] b, float[][] x, int from, int len) {
        for (int i = 0; i < b.length; i++) {
            b[i].get(from, x[i], 0, len);
        }
    }

    private static void write(FloatBuffer[] b, float[][] x, int from, int len, int... which) {
        for (int i : which) {
            b[i].put(from, x[i], 0, len);
        }
    }

    private static void read(DoubleBuffer[] b, double[][] x, int from, int len) {
        for (int i = 0; i < b.length; i++) {
            b[i].get(from, x[i], 0, len);
        }
    }

    private static void write(DoubleBuffer[] b, double[][] x, int from, int len, int... which) {
        for (int i : which) {
            b[i].put(from, x[i], 0, len);
        }
    }
}

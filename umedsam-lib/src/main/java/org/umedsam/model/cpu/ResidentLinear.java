package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y [rows, out] = x [rows, in] W + b} by native sgemm with the constant {@code W} kept off-heap, for
 * the decoder's products of a few token rows with a weight (PyTorch {@code Linear} when made by
 * {@link #of(Linear)}: {@code W = weight^T}).
 *
 * <p>Why: {@link Gemm} stages both operands per call; for 7 rows against a 256 x 2048 weight, copying the
 * 2 MB weight costs more than the product itself. Here only {@code x} and {@code y} are staged (per-thread
 * buffers). The off-heap copy lives as long as this object. Thread-safe (the weight is only read).
 */
final class ResidentLinear {

    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    private final INDArray w;
    /** whether {@link #w} is stored {@code [out, in]} (PyTorch) and multiplied transposed, else {@code [in, out]}. */
    private final boolean transposed;
    private final float[] bias;
    final int in;
    final int out;

    /**
     * @param w          {@code [out, in]} when {@code transposed}, else {@code [in, out]}; copied (in the layout
     *                   sgemm is faster with for the shape)
     * @param bias       {@code [out]}, or null
     */
    ResidentLinear(float[] w, int in, int out, boolean transposed, float[] bias) {
        if (w.length != in * out || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("weight/bias sizes do not match in=" + in + " out=" + out);
        }
        // the layout sgemm runs fastest for 7 rows (measured, 2 BLAS threads and 1): [out, in] multiplied
        // transposed when the layer widens (256 -> 2048: 0.3-0.45 against 0.5-0.65 ms for [in, out]),
        // [in, out] when it narrows (2048 -> 256: 0.25-0.43 against 0.43-0.6 ms)
        boolean store = in <= out;
        float[] stored = store == transposed ? w
                : transposed ? TokenAttentionOps.transpose(w, out, in) : TokenAttentionOps.transpose(w, in, out);
        this.w = store ? Nd4j.create(stored, new long[]{out, in}, 'c') : Nd4j.create(stored, new long[]{in, out}, 'c');
        this.transposed = store;
        this.bias = bias;
        this.in = in;
        this.out = out;
    }

    /** PyTorch {@code Linear}: {@code y = x weight^T + bias}. */
    static ResidentLinear of(Linear l) {
        return new ResidentLinear(l.weight, l.in, l.out, true, l.bias);
    }

    /** {@code act(x [rows, in] W + b)} into a new {@code [rows, out]} array, {@code act} ReLU or identity. */
    float[] apply(float[] x, int rows, boolean relu) {
        float[] y = new float[rows * out];
        applyInto(x, rows, y);
        if (relu) {
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.max(y[i], 0f);
            }
        }
        return y;
    }

    /** {@code x [rows, in] W + b} into the first {@code rows * out} values of {@code y}. */
    void applyInto(float[] x, int rows, float[] y) {
        if (x.length < rows * in) {
            throw new IllegalArgumentException("input has " + x.length + " values, needs " + rows * in);
        }
        if (y.length < rows * out) {
            throw new IllegalArgumentException("output has " + y.length + " values, needs " + rows * out);
        }
        Staging s = STAGING.get();
        INDArray sx = s.x.stage(x, rows, in);
        INDArray sy = s.y.ensure((long) rows * out).matrix(rows, out);
        Nd4j.gemm(sx, w, sy, false, transposed, 1.0, 0.0);
        s.y.get(0, y, 0, rows * out);
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                int o = r * out;
                for (int j = 0; j < out; j++) {
                    y[o + j] += bias[j];
                }
            }
        }
    }

    private static final class Staging {
        final NativeFloats x = new NativeFloats();
        final NativeFloats y = new NativeFloats();
    }
}

package org.umedsam.model.cpu;

import java.util.stream.IntStream;

/**
 * PyTorch {@code Linear} on heap rows: {@code y[rows, out] = x[rows, in] W^T + b}, optionally followed by
 * GELU. The product is {@link Gemm}; the bias (and GELU) pass runs per row on an offset-0 copy, which C2
 * vectorises.
 *
 * @param weight {@code [out, in]}
 * @param bias   {@code [out]}, or null
 */
record Linear(float[] weight, float[] bias, int in, int out) {

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    private static final int ELEMENTS_PER_TASK = 1 << 15;

    /** Reads {@code prefix.weight} {@code [out, in]} and, when {@code withBias}, {@code prefix.bias}. */
    static Linear read(StateDictWeights w, String prefix, int in, int out, boolean withBias) {
        return new Linear(w.get(prefix + ".weight", out, in), withBias ? w.get(prefix + ".bias", out) : null, in, out);
    }

    void apply(float[] x, int rows, float[] y, boolean gelu) {
        Gemm.multiply(x, 0, rows, in, weight, 0, out, true, y, 0);
        if (bias != null || gelu) {
            addBias(y, rows, out, bias, gelu);
        }
    }

    /** {@code y[r, :] += bias} (bias may be null), then GELU when asked; parallel over rows. */
    static void addBias(float[] y, int rows, int n, float[] bias, boolean gelu) {
        int per = Math.max(1, ELEMENTS_PER_TASK / n);
        int tasks = (rows + per - 1) / per;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            float[] row = ROW.get();
            if (row.length < n) {
                row = new float[n];
                ROW.set(row);
            }
            int r1 = Math.min(rows, (t + 1) * per);
            for (int r = t * per; r < r1; r++) {
                int o = r * n;
                if (bias != null) {
                    System.arraycopy(y, o, row, 0, n);
                    for (int j = 0; j < n; j++) {
                        row[j] += bias[j];
                    }
                    System.arraycopy(row, 0, y, o, n);
                }
                if (gelu) {
                    Gelu.apply(y, o, n);
                }
            }
        });
    }
}

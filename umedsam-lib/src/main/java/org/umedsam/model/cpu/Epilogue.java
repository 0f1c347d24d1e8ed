package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.nio.ByteBuffer;

/**
 * What follows a layer's product, applied to each row of the off-heap result {@code y [m, n]} as it is read:
 * {@code act((y + bias) + residual)}, written either to a heap array ({@link #toHeap}) or back in place
 * ({@link #inPlace}), where the next product reads it.
 *
 * <p>Why rows: each row is copied to an offset-0 heap row (C2 vectorises loops over it), finished there while in
 * L1, and written once; a separate bias or activation pass would read and write the whole output again. Rows are
 * split over the common pool; the floats and their order are the same on any number of threads. With the Vector
 * API's module, {@link VectorEpilogue} finishes each row in one pass of vector loads and stores (the same bits;
 * 0.94 of an embedding's time, interleaved).
 */
final class Epilogue {

    /** Whether rows are finished by {@link VectorEpilogue} (same bits): {@link VectorSupport#enabled()}, read once. */
    private static final boolean VECTOR = VectorSupport.enabled();
    /** Per-thread rows (output, residual). */
    private static final RowBuffers ROWS = new RowBuffers(2);

    private Epilogue() {
    }

    /**
     * {@code c[m, n] = act((y + bias) + residual)} from {@code cOff}, {@code residual [m, n]} read from
     * {@code resOff}; {@code c} may be the residual itself at the same offset.
     *
     * @param bias     {@code [n]}, or null
     * @param residual {@code [m, n]}, or null
     */
    static void toHeap(NativeFloats y, int m, int n, float[] bias, float[] residual, int resOff, Activation act,
                       float[] c, int cOff) {
        if (VECTOR) {
            ByteBuffer bytes = y.bytes();
            ChunkedParallel.parallel(m, n, (from, to) -> {
                float[] scratch = ROWS.get(n)[0];
                for (int r = from; r < to; r++) {
                    VectorEpilogue.row(bytes, r, n, bias, residual, resOff + r * n, act, c, cOff + r * n, scratch);
                }
            });
            return;
        }
        ChunkedParallel.parallel(m, n, (from, to) -> {
            float[][] rows = ROWS.get(n);
            float[] row = rows[0];
            float[] skip = rows[1];
            for (int r = from; r < to; r++) {
                y.get(r * n, row, 0, n);
                finish(row, n, bias, residual, resOff + r * n, skip, act);
                System.arraycopy(row, 0, c, cOff + r * n, n);
            }
        });
    }

    /** {@code y[m, n] = act(y + bias)} in place: a hidden layer's output, read next by the following product. */
    static void inPlace(NativeFloats y, int m, int n, float[] bias, Activation act) {
        if (VECTOR) {
            ByteBuffer bytes = y.bytes();
            ChunkedParallel.parallel(m, n, (from, to) -> {
                float[] scratch = ROWS.get(n)[0];
                for (int r = from; r < to; r++) {
                    VectorEpilogue.row(bytes, r, n, bias, null, 0, act, null, 0, scratch);
                }
            });
            return;
        }
        ChunkedParallel.parallel(m, n, (from, to) -> {
            float[] row = ROWS.get(n)[0];
            for (int r = from; r < to; r++) {
                y.get(r * n, row, 0, n);
                finish(row, n, bias, null, 0, null, act);
                y.put(r * n, row, 0, n);
            }
        });
    }

    private static void finish(float[] row, int n, float[] bias, float[] residual, int resOff, float[] skip,
                               Activation act) {
        if (bias != null) {
            for (int j = 0; j < n; j++) {
                row[j] += bias[j];
            }
        }
        if (residual != null) {
            System.arraycopy(residual, resOff, skip, 0, n);
            for (int j = 0; j < n; j++) {
                row[j] += skip[j];
            }
        }
        act.apply(row, 0, n);
    }
}

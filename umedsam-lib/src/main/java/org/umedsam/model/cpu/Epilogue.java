package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What follows a layer's product, applied to each row of the off-heap result {@code y [m, n]} as it is read:
 * {@code act((y + bias) + residual)}, written either to a heap array ({@link #toHeap}) or back in place
 * ({@link #inPlace}), where the next product reads it.
 *
 * <p>Why rows: each row is copied to an offset-0 heap row (C2 vectorises loops over it), finished there while in
 * L1, and written once; a separate bias or activation pass would read and write the whole output again. Rows are
 * split over the common pool; the floats and their order are the same on any number of threads. With the Vector
 * API's module, {@link VectorEpilogue} finishes each row's whole vectors in one pass of vector loads and stores
 * (the same bits; 0.94 of an embedding's time, interleaved) and the rows above take only the rest.
 */
final class Epilogue {

    /**
     * Whether rows are finished by {@link VectorEpilogue} (same bits), which reads them in native memory:
     * {@link VectorSupport#bufferAccess()}, read once.
     */
    private static final boolean VECTOR = VectorSupport.bufferAccess();
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
        int whole = vectorValues(n);
        float[] restBias = rest(bias, whole);
        ByteBuffer bytes = whole > 0 ? y.bytes() : null;
        // the vector rows take no null: a missing bias or residual is VectorEpilogue's row of -0f, read at stride 0
        float[] vectorBias = whole > 0 ? VectorEpilogue.orIdentity(bias, whole) : null;
        float[] vectorResidual = whole > 0 ? VectorEpilogue.orIdentity(residual, whole) : null;
        int vectorResOff = residual != null ? resOff : 0;
        int vectorResStride = residual != null ? n : 0;
        ChunkedParallel.parallel(m, n, (from, to) -> {
            float[][] rows = ROWS.get(n);
            for (int r = from; r < to; r++) {
                if (whole > 0) {
                    VectorEpilogue.toHeap(bytes, r * n, whole, vectorBias, vectorResidual,
                            vectorResOff + r * vectorResStride, act, c, cOff + r * n);
                }
                if (whole < n) {
                    int len = n - whole;
                    y.get(r * n + whole, rows[0], 0, len);
                    finish(rows[0], len, restBias, residual, resOff + r * n + whole, rows[1], act);
                    System.arraycopy(rows[0], 0, c, cOff + r * n + whole, len);
                }
            }
        });
    }

    /** {@code y[m, n] = act(y + bias)} in place: a hidden layer's output, read next by the following product. */
    static void inPlace(NativeFloats y, int m, int n, float[] bias, Activation act) {
        int whole = vectorValues(n);
        float[] restBias = rest(bias, whole);
        ByteBuffer bytes = whole > 0 ? y.bytes() : null;
        float[] vectorBias = whole > 0 ? VectorEpilogue.orIdentity(bias, whole) : null;
        ChunkedParallel.parallel(m, n, (from, to) -> {
            float[] row = ROWS.get(n)[0];
            for (int r = from; r < to; r++) {
                if (whole > 0) {
                    VectorEpilogue.inPlace(bytes, r * n, whole, vectorBias, act);
                }
                if (whole < n) {
                    int len = n - whole;
                    y.get(r * n + whole, row, 0, len);
                    finish(row, len, restBias, null, 0, null, act);
                    y.put(r * n + whole, row, 0, len);
                }
            }
        });
    }

    /** The values at the start of each row of {@code n} that {@link VectorEpilogue} finishes: 0 without it. */
    private static int vectorValues(int n) {
        return VECTOR ? VectorEpilogue.wholeVectors(n) : 0; // VectorEpilogue is only loaded with the module
    }

    /**
     * {@code bias} from index {@code from} on, for the scalar rest of each row (null stays null, and so does a bias
     * the vector pass covers whole).
     */
    private static float[] rest(float[] bias, int from) {
        if (bias == null || from == 0) {
            return bias;
        }
        return from < bias.length ? Arrays.copyOfRange(bias, from, bias.length) : null;
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

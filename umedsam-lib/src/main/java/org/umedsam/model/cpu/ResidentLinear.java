package org.umedsam.model.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * {@code y [rows, out] = x [rows, in] W + b} by native sgemm with the constant {@code W} kept off-heap, for
 * the decoder's products of a few token rows with a weight (PyTorch {@code Linear} when made by
 * {@link #of(Linear)}: {@code W = weight^T}).
 *
 * <p>Why: {@link Gemm} stages both operands per call; for 7 rows against a 256 x 2048 weight, copying the
 * 2 MB weight costs more than the product itself. Here only {@code x} and {@code y} are staged (per-thread
 * buffers). The off-heap copy lives as long as this object. Thread-safe (the weight is only read). Small
 * products skip ND4J and call OpenBLAS on the calling thread ({@link #DIRECT_MAX}): one 1-box decode makes
 * about 20 of them, and the change made it about 5 % faster (0.0407 to 0.0387 s median, interleaved in one
 * process; logits within 6e-7 of the {@code Nd4j.gemm} path). With the vector kernels on, products up to
 * {@link #VECTOR_MAX} run {@link VectorFewRowGemm} on a heap copy of the weight instead, without staging.
 */
final class ResidentLinear {

    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    /**
     * Products of at most this many multiply-adds go to {@link #direct}, larger ones through {@code Nd4j.gemm}.
     * Why: {@code Nd4j.gemm} costs about 0.2 ms per call before any arithmetic (ND4J's op, oneDNN's primitive,
     * waking its threads), more than a 7 x 128 x 256 product takes (43 against 255 us, 7 x 256 x 256: 85 against
     * 249 us, measured one after the other on 2 cores); from 7 x 256 x 2048 on, one thread is slower than two
     * and {@code Nd4j.gemm} wins.
     */
    static final long DIRECT_MAX = 1_500_000;
    /**
     * OpenBLAS runs a product of at most this many multiply-adds on the calling thread
     * ({@code SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD} = 65536 x 4 in its {@code interface/gemm.c}); larger
     * ones wake its own thread pool, whose idle threads then spin on the cores the Java loops need.
     */
    static final long ONE_THREAD_MAX = 262_144;
    /**
     * Products of at most this many multiply-adds run {@link VectorFewRowGemm} when the vector kernels are on
     * (every token-side product of a LiteMedSAM decode but the MLP's, whose 7 x 256 x 2048 it ran no faster).
     */
    static final long VECTOR_MAX = 2_000_000;
    /** Narrower column blocks than this cost more in calls than they save. */
    private static final int MIN_COLUMNS = 16;

    private final INDArray w;
    /** {@link #w}'s memory, for {@link #direct}. */
    private final FloatPointer weight;
    /** whether {@link #w} is stored {@code [out, in]} (PyTorch) and multiplied transposed, else {@code [in, out]}. */
    private final boolean transposed;
    private final float[] bias;
    /** Whether products up to {@link #VECTOR_MAX} run {@link VectorFewRowGemm} (the vector kernels are on). */
    private final boolean vector;
    /**
     * The weight {@code [in, out]} on the heap for {@link VectorFewRowGemm}, made at the first product that runs
     * there (so never for a layer whose products are all larger, the MLP's); racing threads make equal copies.
     */
    private volatile float[] vectorWeight;
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
        this.weight = new FloatPointer(this.w.data().addressPointer());
        this.bias = bias;
        this.in = in;
        this.out = out;
        // decided before VectorFewRowGemm is touched (it needs the module); a training pass's decoder never takes it
        this.vector = DecoderKernels.vector();
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
        if (vector && (long) rows * in * out <= VECTOR_MAX) {
            VectorFewRowGemm.multiply(x, rows, in, vectorWeight(), out, bias, y);
            return;
        }
        Staging s = STAGING.get();
        INDArray sx = s.x.stage(x, rows, in);
        s.y.ensure((long) rows * out);
        int cols = (int) Math.min(out, ONE_THREAD_MAX / ((long) rows * in));
        if ((long) rows * in * out <= DIRECT_MAX && cols >= MIN_COLUMNS) {
            direct(s.x.pointer(), rows, s.y.pointer(), cols);
        } else {
            Nd4j.gemm(sx, w, s.y.matrix(rows, out), false, transposed, 1.0, 0.0);
        }
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

    /** {@link #vectorWeight}, made from the off-heap copy ({@code [out, in]} when {@link #transposed}) if absent. */
    private float[] vectorWeight() {
        float[] v = vectorWeight;
        if (v == null) {
            float[] stored = w.data().asFloat();
            v = transposed ? TokenAttentionOps.transpose(stored, out, in) : stored;
            vectorWeight = v;
        }
        return v;
    }

    /**
     * {@code y = x W} as OpenBLAS {@code cblas_sgemm} calls on the calling thread, over column blocks of at most
     * {@code cols} outputs (each at most {@link #ONE_THREAD_MAX} multiply-adds, so OpenBLAS runs it without its
     * thread pool). A block's outputs are the same sums as in one call (columns do not mix), and a box's calls
     * are the same whatever the other boxes, so a box still decodes to the same bits alone as in a batch.
     */
    private void direct(FloatPointer x, int rows, FloatPointer y, int cols) {
        FloatPointer block = new FloatPointer(weight); // own position: threads may share this layer
        for (int j0 = 0; j0 < out; j0 += cols) {
            int n = Math.min(cols, out - j0);
            // W stored [out, in] (multiplied transposed): block j0 starts at row j0; stored [in, out]: at column j0
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transposed ? CblasTrans : CblasNoTrans, rows, n, in, 1f,
                    x.position(0), in, block.position(transposed ? (long) j0 * in : j0), transposed ? in : out,
                    0f, y.position(j0), out);
        }
        x.position(0);
        y.position(0);
    }

    private static final class Staging {
        final NativeFloats x = new NativeFloats();
        final NativeFloats y = new NativeFloats();
    }
}

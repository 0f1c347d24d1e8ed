package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.ModelConfig;

/**
 * The MLP half of a TinyViT block for training, per image of {@code L} tokens: {@code out = y + fc2(gelu(fc1(t)))}
 * with {@code t [L, dim]} the MLP's LayerNorm of {@code y}, and its backward down to {@code dLoss/dt}, with
 * {@code t} and the hidden rows {@code [L, 4 dim]} off-heap: the LayerNorm writes {@code t} where fc1's product
 * reads it, the hidden rows go from fc1's product to fc2's (forward) and from the recomputed fc1 product to fc1's
 * weight and input gradients (backward); only {@code y}, {@code dLoss/dout} and the results are on the heap.
 *
 * <p>Why: on the heap path ({@link Linear}, {@link Gemm#linearBackward}) every product copied its operands off-heap
 * and its result back, and the hidden rows are four times the block's width: per image and block the forward copied
 * them twice and the backward four times (fc1's recomputed output back, {@code gelu(h)} off-heap for fc2's weight
 * gradient, fc2's input gradient back, that gradient off-heap again for fc1's products). Staging operands was about
 * 7 % of a LiteMedSAM training step's CPU time.
 *
 * <p>Numerics: the same products on the same rows in the same calls (the forward's products by
 * {@link Linear#rowsPerProduct} rows, the backward's over all {@code L}), and the same element-wise kernels on
 * each value ({@link Epilogue}, {@link Gelu} on heap rows copied from off-heap) with the column sums in
 * {@link DecoderGradientKernels#columnSums}'s chunks and order, so the heap path's bits. PyTorch:
 * {@code x + mlp.fc2(F.gelu(mlp.fc1(mlp.norm(x))))} and its autograd.
 *
 * <p>Not thread-safe: the off-heap buffers are the calling thread's, the three largest {@link Gemm#staging()}'s;
 * products run their row blocks on the common pool, which only reads them.
 */
final class TinyVitMlpTraining {

    /** The calling thread's own off-heap operands: reused by every block and pass on it, grown to the largest. */
    private static final ThreadLocal<Own> OWN = ThreadLocal.withInitial(Own::new);
    /** Heap rows for the element-wise kernels on off-heap values (h, then dLoss/dh). */
    private static final RowBuffers ROWS = new RowBuffers(2);

    private static final float LN_EPS = (float) ModelConfig.LN_EPS;

    private final String prefix;
    private final float[] normW;
    private final float[] normB;
    /** {@code [hidden, dim]}. */
    private final Linear fc1;
    /** {@code [dim, hidden]}. */
    private final Linear fc2;
    private final int dim;
    private final int hidden;

    /**
     * @param prefix the MLP's state-dict prefix ({@code ...blocks.j.mlp}), for its gradients' keys
     * @param normW  the LayerNorm's weight {@code [dim]}
     * @param normB  the LayerNorm's bias {@code [dim]}
     */
    TinyVitMlpTraining(String prefix, float[] normW, float[] normB, Linear fc1, Linear fc2) {
        if (fc1.out != fc2.in || fc1.in != fc2.out) {
            throw new IllegalArgumentException(prefix + ": fc1 [" + fc1.out + ", " + fc1.in + "] and fc2 [" + fc2.out
                    + ", " + fc2.in + "] do not chain back to the block's width");
        }
        if (normW.length != fc1.in || normB.length != fc1.in) {
            throw new IllegalArgumentException(prefix + ".norm: weight and bias need " + fc1.in + " values, got "
                    + normW.length + " and " + normB.length);
        }
        this.prefix = prefix;
        this.normW = normW;
        this.normB = normB;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.dim = fc1.in;
        this.hidden = fc1.out;
    }

    /**
     * {@code out [L, dim] = y + fc2(gelu(fc1(LN(y))))}.
     *
     * @param y {@code [L, dim]}, the MLP's input and skip connection (read only; may be {@code out})
     */
    void forward(float[] y, int len, float[] out) {
        if (len <= Linear.FEW_ROWS) { // the row loops, no products: nothing to stage
            float[] g = fc1.apply(heapNorm(y, len, null, null), len, Activation.GELU);
            fc2.applyResidual(g, len, y, out);
            return;
        }
        Buffers b = buffers();
        Staged s = stage(b, y, len, null, null);
        INDArray w1 = s.w1();
        INDArray w2 = s.w2();
        NativeFloats t = s.t();
        int per = fc1.rowsPerProduct(len);
        for (int r0 = 0; r0 < len; r0 += per) {
            int n = Math.min(per, len - r0);
            RowParallelGemm.multiply(t, r0, n, dim, w1, true, hidden, b.h().ensure((long) n * hidden), 0, 0.0);
            Epilogue.inPlace(b.h(), n, hidden, fc1.bias, Activation.GELU);
            RowParallelGemm.multiply(b.h(), n, hidden, w2, true, dim, b.c().ensure((long) n * dim), 0.0);
            Epilogue.toHeap(b.c(), n, dim, fc2.bias, y, r0 * dim, Activation.NONE, out, r0 * dim);
        }
    }

    /**
     * The backward pass of {@link #forward} down to the LayerNorm's output: recomputes {@code t = LN(y)} (keeping
     * {@code xhat} and {@code inv} for the caller's LayerNorm backward), sums fc1's and fc2's weight and bias
     * gradients into {@code g} and writes {@code dLoss/dt} to {@code dt}. The LayerNorm's backward and the skip
     * connection's share ({@code dLoss/dy = dOut + ...}) are the caller's.
     *
     * @param dOut {@code [L, dim]}, dLoss/dout (read only)
     * @param y    {@code [L, dim]}, the forward's input recomputed (read only)
     * @param xhat {@code [L, dim]}, written: the LayerNorm's normalised rows
     * @param inv  {@code [L]}, written: the LayerNorm's {@code 1 / std} per row
     * @param dt   {@code [L, dim]}, written
     */
    void backward(float[] dOut, float[] y, int len, float[] xhat, float[] inv, float[] dt, GradientSums g) {
        float[] dW1 = g.of(prefix + ".fc1.weight", hidden * dim);
        float[] dW2 = g.of(prefix + ".fc2.weight", dim * hidden);
        if (len <= Linear.FEW_ROWS) {
            heapBackward(dOut, heapNorm(y, len, xhat, inv), len, dt, dW1, dW2, g);
            return;
        }
        Buffers b = buffers();
        Staged s = stage(b, y, len, xhat, inv);
        INDArray w1 = s.w1();
        INDArray w2 = s.w2();
        NativeFloats tn = s.t();
        // h = fc1(t) in the forward's products, then gelu(h) beside it
        NativeFloats h = b.h().ensure((long) len * hidden);
        int per = fc1.rowsPerProduct(len);
        for (int r0 = 0; r0 < len; r0 += per) {
            RowParallelGemm.multiply(tn, r0, Math.min(per, len - r0), dim, w1, true, hidden, h, r0, 0.0);
        }
        Epilogue.inPlace(h, len, hidden, fc1.bias, Activation.NONE);
        NativeFloats gh = b.g().ensure((long) len * hidden);
        geluRows(h, gh, len);
        // fc2: dW2 += dOut^T gelu(h), then dLoss/d gelu(h) = dOut W2 over gelu(h), which nothing reads any more
        NativeFloats d = b.d().ensure((long) len * dim);
        d.putParallel(0, dOut, 0, len * dim);
        weightGradient(d, len, dim, gh, hidden, dW2, b.c());
        RowParallelGemm.multiply(d, len, dim, w2, false, hidden, gh, 0.0);
        DecoderGradientKernels.columnSums(dOut, len, dim, g.of(prefix + ".fc2.bias", dim));
        // dLoss/dh = dLoss/d gelu(h) * gelu'(h) in place, and its column sums (fc1's bias)
        derivativeAndColumnSums(h, gh, len, g.of(prefix + ".fc1.bias", hidden));
        // fc1: dW1 += dh^T t, then dt = dh W1
        weightGradient(gh, len, hidden, tn, dim, dW1, b.c());
        RowParallelGemm.multiply(gh, len, hidden, w1, false, dim, b.c().ensure((long) len * dim), 0.0);
        b.c().getParallel(0, dt, 0, len * dim);
    }

    /** Both passes' operands off-heap: fc1's and fc2's weights, and {@code t = LN(y)} for all {@code L} rows. */
    private record Staged(INDArray w1, INDArray w2, NativeFloats t) {
    }

    /**
     * Stages both weights and writes {@code t = LN(y)} into {@code b}'s {@code t} (keeping {@code xhat} and
     * {@code inv} when not null): what the forward and the backward start with.
     */
    private Staged stage(Buffers b, float[] y, int len, float[] xhat, float[] inv) {
        NativeFloats t = b.t().ensure((long) len * dim);
        LayerNorm.trainingRows(y, len, dim, normW, normB, LN_EPS, xhat, inv, t);
        return new Staged(b.w1().stageParallel(fc1.weight, 0, hidden, dim),
                b.w2().stageParallel(fc2.weight, 0, dim, hidden), t);
    }

    /** {@code gh = gelu(h)}, {@code [len, hidden]} each, row by row through a heap row. */
    private void geluRows(NativeFloats h, NativeFloats gh, int len) {
        int n = hidden;
        ChunkedParallel.parallel(len, n, (from, to) -> {
            float[] row = ROWS.get(n)[0];
            for (int r = from; r < to; r++) {
                h.get(r * n, row, 0, n);
                Gelu.apply(row, 0, n);
                gh.put(r * n, row, 0, n);
            }
        });
    }

    /**
     * {@code dh = dh * gelu'(h)} in place, {@code [len, hidden]}, and {@code sums[j] += sum_r dh[r, j]} in
     * {@link DecoderGradientKernels#columnSums}'s chunks and order (the same bits): one pass over the rows.
     */
    private void derivativeAndColumnSums(NativeFloats h, NativeFloats dh, int len, float[] sums) {
        int n = hidden;
        ChunkedParallel.OrderedMerge merge = new ChunkedParallel.OrderedMerge();
        ChunkedParallel.parallel(len, n, (from, to) -> {
            float[][] rows = ROWS.get(n);
            float[] hr = rows[0];
            float[] dr = rows[1];
            float[] s = new float[n];
            for (int r = from; r < to; r++) {
                h.get(r * n, hr, 0, n);
                dh.get(r * n, dr, 0, n);
                Gelu.multiplyByDerivative(hr, 0, dr, 0, n);
                dh.put(r * n, dr, 0, n);
                for (int j = 0; j < n; j++) {
                    s[j] += dr[j];
                }
            }
            merge.add(from, () -> {
                for (int j = 0; j < n; j++) {
                    sums[j] += s[j];
                }
            });
        });
        merge.run();
    }

    /**
     * {@code dW [out, in] += dy^T x} for {@code dy [rows, out]} and {@code x [rows, in]} off-heap: one call, as
     * {@link Gemm#linearBackward}'s.
     */
    private static void weightGradient(NativeFloats dy, int rows, int out, NativeFloats x, int in, float[] dW,
                                       NativeFloats c) {
        c.ensure((long) out * in).putParallel(0, dW, 0, out * in);
        Nd4j.gemm(dy.matrix(rows, out), x.matrix(rows, in), c.matrix(out, in), true, false, 1.0, 1.0);
        c.getParallel(0, dW, 0, out * in);
    }

    /** {@code LN(y)} on the heap ({@code xhat} and {@code inv} kept when not null), for a few rows. */
    private float[] heapNorm(float[] y, int len, float[] xhat, float[] inv) {
        float[] t = java.util.Arrays.copyOf(y, len * dim);
        DecoderGradientKernels.layerNorm(t, len, dim, normW, normB, LN_EPS, xhat, inv);
        return t;
    }

    /** The backward on heap rows, for a few rows (no products). */
    private void heapBackward(float[] dOut, float[] t, int len, float[] dt, float[] dW1, float[] dW2,
                              GradientSums g) {
        float[] h = fc1.apply(t, len, Activation.NONE);
        float[] dh = h.clone();
        Gelu.apply(dh, 0, dh.length);
        Gemm.linearBackward(dOut, len, dim, dh, hidden, fc2.weight, dW2, dh);
        DecoderGradientKernels.columnSums(dOut, len, dim, g.of(prefix + ".fc2.bias", dim));
        Gelu.multiplyByDerivative(h, 0, dh, 0, dh.length);
        DecoderGradientKernels.columnSums(dh, len, hidden, g.of(prefix + ".fc1.bias", hidden));
        Gemm.linearBackward(dh, len, hidden, t, dim, fc1.weight, dW1, dt);
    }

    /** This thread's buffers: its own, and {@link Gemm}'s staging for the three largest. */
    private static Buffers buffers() {
        Gemm.Staging s = Gemm.staging();
        return new Buffers(OWN.get(), s.a, s.b, s.c);
    }

    /** The weights, {@code t} (all {@code L} rows) and {@code dLoss/dout}: the buffers that are this class's own. */
    private static final class Own {
        final NativeFloats w1 = new NativeFloats();
        final NativeFloats w2 = new NativeFloats();
        final NativeFloats t = new NativeFloats();
        final NativeFloats d = new NativeFloats();
    }

    /**
     * @param h {@code h}, then in the forward gelu(h) ({@code [L, 4 dim]})
     * @param g gelu(h), then dLoss/d gelu(h), then dLoss/dh ({@code [L, 4 dim]})
     * @param c fc2's output rows, a weight gradient, dLoss/dt
     */
    private record Buffers(NativeFloats w1, NativeFloats w2, NativeFloats t, NativeFloats d, NativeFloats h,
                           NativeFloats g, NativeFloats c) {
        Buffers(Own own, NativeFloats h, NativeFloats g, NativeFloats c) {
            this(own.w1, own.w2, own.t, own.d, h, g, c);
        }
    }
}

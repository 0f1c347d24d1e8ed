package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The product of PyTorch {@code Linear} for the encoder's token rows with every operand off-heap:
 * {@code y [rows, out] = x [rows, in] · weight [out, in]ᵀ} by {@link RowParallelGemm} (oneDNN), from {@link NativeFloats}
 * to {@link NativeFloats}; the bias, activation and residual follow in an {@link Epilogue}.
 *
 * <p>Why: {@link Gemm} copies its heap operands off-heap at every call, the weight included. A chain such as
 * LayerNorm → fc1 → GELU → fc2 needs none of those copies when the LayerNorm writes its rows off-heap
 * ({@link LayerNorm#rows(float[], int, NativeFloats, int, int, float[], float[], float)}) and the GELU runs in place
 * ({@link Epilogue#inPlace}): fc2's input, four times the block's width, was the largest copy of a TinyViT block.
 *
 * <p>The weight is copied off-heap once, here. Thread-safe (the weight is only read).
 */
final class NativeLinear {

    /** {@code [out, in]}, off-heap. */
    private final INDArray weight;
    /** {@code [out]}, or null. */
    final float[] bias;
    final int in;
    final int out;

    NativeLinear(Linear l) {
        this(l.weight, l.bias, l.in, l.out);
    }

    /**
     * @param weight {@code [out, in]} (PyTorch {@code Linear}, or a 1x1 convolution's {@code [C_out, C_in]}), copied
     * @param bias   {@code [out]}, or null
     */
    NativeLinear(float[] weight, float[] bias, int in, int out) {
        if (weight.length != (long) in * out || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("weight/bias sizes do not match in=" + in + " out=" + out);
        }
        this.weight = Nd4j.create(weight, new long[]{out, in}, 'c');
        this.bias = bias;
        this.in = in;
        this.out = out;
    }

    /** {@code y [rows, out] = x [rows, in] · Wᵀ}, without the bias; {@code y} is grown as needed. */
    void product(NativeFloats x, int rows, NativeFloats y) {
        if (rows <= 0) {
            throw new IllegalArgumentException("rows must be positive, got " + rows);
        }
        RowParallelGemm.multiply(x, rows, in, weight, true, out, y.ensure((long) rows * out), 0.0);
    }
}

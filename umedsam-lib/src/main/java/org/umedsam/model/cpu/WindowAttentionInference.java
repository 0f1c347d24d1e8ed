package org.umedsam.model.cpu;

/**
 * The inference form of {@link WindowAttentionKernel}: the same result, per window and head
 * {@code softmax(q k^T / sqrt(d) + bias) v} on {@code qkv [side*side + 1, 3 * heads * headDim]} (last row the
 * padded token), computed for speed rather than for the backward pass. PyTorch:
 * {@code (q @ k.transpose(-2, -1) * scale + bias).softmax(-1) @ v} per window, as upstream's {@code Attention}.
 *
 * <p>Why a second entry point (same schedule, same {@link WindowGeometry} and {@link WindowScratch}, through
 * {@link WindowAttentionKernel#attend}): training runs {@link WindowAttentionKernel#apply}, whose attention weights
 * {@link WindowAttentionGradient} recomputes bit for bit with the scalar {@link FastExp#expNonPositive}. Here the
 * softmax's {@code exp(s - max)} is {@link FastExp#expNonPositiveVector}, branch-free float arithmetic that C2
 * vectorises: the exp loop went from about 40% of the kernel's profile samples to about 15% (the kernel runs 10
 * to 35% faster on one thread, measured by {@code WindowAttentionInferenceBenchmark}); absolute error about
 * 1.5e-7 against weights summing to at least 1, so the two kernels agree up to rounding.
 * (Padding 7x7 windows' 49 queries to 64, so that more of each inner loop runs in C2's vector body, was tried and
 * measured 12% slower.)
 */
final class WindowAttentionInference {

    private final WindowGeometry geometry;
    private final ThreadLocal<WindowScratch> scratch;

    /**
     * @param attentionBiases {@code [heads, ws*ws]}
     */
    WindowAttentionInference(int heads, int headDim, int ws, float[] attentionBiases) {
        geometry = new WindowGeometry(heads, headDim, ws, attentionBiases);
        scratch = WindowScratch.perThread(geometry);
    }

    /**
     * @param qkv {@code [side*side + 1, 3 * heads * headDim]}: per token and head q, k, v of {@code headDim}
     *            each (upstream's view {@code [N, heads, 3*headDim]}); the last row is the padded token
     * @param out {@code [side*side, heads * headDim]}, written for every real token
     */
    void apply(float[] qkv, int side, float[] out) {
        WindowAttentionKernel.attend(geometry, scratch, qkv, side, out, true);
    }
}

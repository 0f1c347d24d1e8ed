package org.umedsam.model.cpu;

/**
 * Backward kernels of the CPU mask decoder on row-major heap arrays: PyTorch {@code Linear} on a few
 * rows, LayerNorm (forward with its tape, and backward), softmax, ReLU and exact GELU derivatives.
 */
final class DecoderBackprop {

    private DecoderBackprop() {
    }

    /**
     * Backward of {@code y = x W^T + b} for a few rows ({@link DecoderLinear}): {@code dW += dy^T x},
     * {@code db += sum_rows dy} into the sums of {@code prefix.weight/.bias}.
     *
     * @param x  the layer's input {@code [rows, in]}
     * @param dy {@code [rows, out]}
     * @return {@code dx = dy W} {@code [rows, in]}
     */
    static float[] linear(DecoderLinear lin, String prefix, float[] x, float[] dy, int rows, DecoderGradientSums g) {
        int in = lin.in;
        int out = lin.out;
        float[] dw = g.of(prefix + ".weight", out * in);
        float[] db = g.of(prefix + ".bias", out);
        float[] w = lin.weight;
        float[] dx = new float[rows * in];
        DecoderKernels.parallel(out, rows * in * 2, (from, to) -> {
            for (int o = from; o < to; o++) {
                int wo = o * in;
                for (int r = 0; r < rows; r++) {
                    float d = dy[r * out + o];
                    if (d == 0f) {
                        continue;
                    }
                    db[o] += d;
                    int xo = r * in;
                    for (int i = 0; i < in; i++) {
                        dw[wo + i] += d * x[xo + i];
                    }
                }
            }
        });
        for (int r = 0; r < rows; r++) {
            int xo = r * in;
            for (int o = 0; o < out; o++) {
                float d = dy[r * out + o];
                if (d == 0f) {
                    continue;
                }
                int wo = o * in;
                for (int i = 0; i < in; i++) {
                    dx[xo + i] += d * w[wo + i];
                }
            }
        }
        return dx;
    }

    /** {@code dy *= (y > 0)}: ReLU backward given the ReLU's output {@code y}. */
    static void relu(float[] y, float[] dy) {
        for (int i = 0; i < dy.length; i++) {
            if (y[i] <= 0f) {
                dy[i] = 0f;
            }
        }
    }

    /**
     * LayerNorm of each row of {@code x [rows, dim]} in place (as {@link DecoderKernels#layerNormRow}),
     * keeping the normalised values {@code xhat [rows, dim]} and {@code inv = 1/sqrt(var + eps) [rows]}.
     */
    static void layerNorm(float[] x, int rows, int dim, float[] w, float[] b, float eps, float[] xhat, float[] inv) {
        DecoderKernels.parallel(rows, dim * 6, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * dim;
                float s = 0;
                for (int i = 0; i < dim; i++) {
                    s += x[o + i];
                }
                float mean = s / dim;
                float q = 0;
                for (int i = 0; i < dim; i++) {
                    float d = x[o + i] - mean;
                    q += d * d;
                }
                float iv = (float) (1.0 / Math.sqrt(q / dim + eps));
                inv[r] = iv;
                for (int i = 0; i < dim; i++) {
                    float h = (x[o + i] - mean) * iv;
                    xhat[o + i] = h;
                    x[o + i] = h * w[i] + b[i];
                }
            }
        });
    }

    /**
     * LayerNorm backward, {@code dy [rows, dim]} replaced in place by dx:
     * {@code dx = inv (g - mean(g) - xhat mean(g xhat))} with {@code g = dy w}; {@code dw += sum dy xhat},
     * {@code db += sum dy} into the sums of {@code prefix.weight/.bias}.
     */
    static void layerNormBackward(float[] dy, int rows, int dim, float[] w, float[] xhat, float[] inv, String prefix,
                                  DecoderGradientSums g) {
        float[] dw = g.of(prefix + ".weight", dim);
        float[] db = g.of(prefix + ".bias", dim);
        DecoderKernels.OrderedMerge lock = new DecoderKernels.OrderedMerge();
        DecoderKernels.parallel(rows, dim * 8, (from, to) -> {
            float[] ldw = new float[dim];
            float[] ldb = new float[dim];
            for (int r = from; r < to; r++) {
                int o = r * dim;
                float sg = 0;
                float sgx = 0;
                for (int i = 0; i < dim; i++) {
                    float d = dy[o + i];
                    float h = xhat[o + i];
                    ldw[i] += d * h;
                    ldb[i] += d;
                    float gi = d * w[i];
                    sg += gi;
                    sgx += gi * h;
                }
                float mg = sg / dim;
                float mgx = sgx / dim;
                float iv = inv[r];
                for (int i = 0; i < dim; i++) {
                    dy[o + i] = iv * (dy[o + i] * w[i] - mg - xhat[o + i] * mgx);
                }
            }
            lock.add(from, () -> {
                for (int i = 0; i < dim; i++) {
                    dw[i] += ldw[i];
                    db[i] += ldb[i];
                }
            });
        });
        lock.run();
    }

    /**
     * Softmax backward over {@code count} segments of {@code len} values, for {@code p = softmax(scale * s)}
     * read from {@code pOff}: {@code dp} (dLoss/dp, from {@code dOff}) is replaced by dLoss/ds =
     * {@code scale p (dp - sum(p dp))}.
     */
    static void softmax(float[] p, int pOff, float[] dp, int dOff, int count, int len, float scale) {
        for (int sg = 0; sg < count; sg++) {
            int po = pOff + sg * len;
            int o = dOff + sg * len;
            float dot = 0;
            for (int i = 0; i < len; i++) {
                dot += p[po + i] * dp[o + i];
            }
            for (int i = 0; i < len; i++) {
                dp[o + i] = scale * p[po + i] * (dp[o + i] - dot);
            }
        }
    }

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float B1 = 0.0705230784f;
    private static final float B2 = 0.0422820123f;
    private static final float B3 = 0.0092705272f;
    private static final float B4 = 0.0001520143f;
    private static final float B5 = 0.0002765672f;
    private static final float B6 = 0.0000430638f;

    /**
     * GELU and its derivative at {@code x[off, off + n)} into {@code gelu[0, n)} (may be null) and
     * {@code grad[0, n)}: {@code gelu = x Phi(x)}, {@code grad = Phi(x) + x phi(x)}. Differentiates the
     * forward's own erf (A&S 7.1.28, {@code erf(u) = 1 - p(u)^-16}, so {@code erf'(u) = 16 p'(u) / p(u)^17}):
     * no exp, no branch or sign select (the JIT vectorises it), within 1e-5 of the exact
     * {@code 2/sqrt(pi) exp(-u^2)}.
     */
    static void gelu(float[] x, int off, int n, float[] gelu, float[] grad) {
        if (gelu == null) {
            for (int i = 0; i < n; i++) {
                grad[i] = geluGradAt(x[off + i]);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            float a = Math.abs(v);
            float u = a * INV_SQRT2;
            float p = 1f + u * (B1 + u * (B2 + u * (B3 + u * (B4 + u * (B5 + u * B6)))));
            float dp = B1 + u * (2 * B2 + u * (3 * B3 + u * (4 * B4 + u * (5 * B5 + u * 6 * B6))));
            float p2 = p * p;
            float p4 = p2 * p2;
            float p8 = p4 * p4;
            float inv17 = 1f / (p8 * p8 * p); // 0 for |x| > ~25, where erf = 1 and erf' = 0 are right
            float e = 1f - inv17 * p;
            // Phi(x) = (1 + erf(|x|/sqrt2) x/|x|) / 2; at x = 0, e = 0
            float phi2 = 0.5f + 0.5f * e * (v / (a + 1e-30f));
            gelu[i] = v * phi2;
            grad[i] = phi2 + v * (8f * INV_SQRT2) * dp * inv17;
        }
    }

    private static float geluGradAt(float v) {
        float a = Math.abs(v);
        float u = a * INV_SQRT2;
        float p = 1f + u * (B1 + u * (B2 + u * (B3 + u * (B4 + u * (B5 + u * B6)))));
        float dp = B1 + u * (2 * B2 + u * (3 * B3 + u * (4 * B4 + u * (5 * B5 + u * 6 * B6))));
        float p2 = p * p;
        float p4 = p2 * p2;
        float p8 = p4 * p4;
        float inv17 = 1f / (p8 * p8 * p);
        float e = 1f - inv17 * p;
        return 0.5f + 0.5f * e * (v / (a + 1e-30f)) + v * (8f * INV_SQRT2) * dp * inv17;
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * TinyViT's {@code Conv2d_BN} (a bias-free convolution, then BatchNorm2d), optionally followed by GELU, for
 * training: a forward pass over a batch that keeps its tape, and the backward pass. The convolution is a 1x1
 * ({@link Kind#POINTWISE}) on channel-first maps {@code [C, H*W]} or channel-last maps {@code [H*W, C]}, or a
 * depthwise 3x3 with padding 1 ({@link Kind#DEPTHWISE}) on channel-last maps, one heap array per image.
 *
 * <p>With {@code batchStatistics} BatchNorm normalises with the batch's statistics over (B, H, W) and the
 * gradient flows through them (PyTorch's training mode); otherwise with the running statistics, an affine
 * map per channel (evaluation mode). Gradients go to {@code prefix.c.weight}, {@code prefix.bn.weight} and
 * {@code prefix.bn.bias} in their PyTorch layouts.
 */
final class Conv2dBnTraining {

    enum Kind { POINTWISE, DEPTHWISE }

    private final String prefix;
    private final Kind kind;
    private final int in;
    private final int out;
    private final int stride;
    private final boolean channelsLast;
    private final boolean gelu;
    /** {@code [out, in]} (pointwise) or {@code [C, 9]} (depthwise), PyTorch layout. */
    private final float[] weight;
    /** Depthwise only: {@code [9, C]} for {@link DepthwiseConv3x3#hwc}. */
    private final float[] tapMajor;
    private final float[] zeroBias;
    private final float[] gamma;
    private final float[] beta;
    private final float[] runningMean;
    private final float[] runningVar;
    private final TapeArena arena;

    /**
     * What the backward pass needs of one forward pass. {@code input} may be dropped ({@link #withoutInput}) when
     * the caller can recompute it, e.g. as the previous layer's {@link #output}; the backward then needs a tape
     * with it restored ({@link #withInput}).
     */
    record Tape(String prefix, float[][] input, float[][] conv, BatchNormTraining.Statistics statistics, int side,
                boolean batchStatistics) {

        /** This tape without its input (the caller keeps or recomputes it). */
        Tape withoutInput() {
            return new Tape(prefix, null, conv, statistics, side, batchStatistics);
        }

        /** This tape with {@code x} as its input, which must equal the forward's bit for bit. */
        Tape withInput(float[][] x) {
            return new Tape(prefix, x, conv, statistics, side, batchStatistics);
        }

        /** This tape without the convolution's output (the caller recomputes it with {@link #convolution}). */
        Tape withoutConv() {
            return new Tape(prefix, input, null, statistics, side, batchStatistics);
        }

        /** This tape with {@code c} as the convolution's output, which must equal the forward's bit for bit. */
        Tape withConv(float[][] c) {
            return new Tape(prefix, input, c, statistics, side, batchStatistics);
        }
    }

    Conv2dBnTraining(StateDictWeights w, String prefix, Kind kind, int in, int out, int stride, boolean channelsLast,
                     boolean gelu) {
        this(w, prefix, kind, in, out, stride, channelsLast, gelu, TapeArena.NONE);
    }

    /** @param arena where the maps of the forward and backward passes come from ({@link TapeArena}) */
    Conv2dBnTraining(StateDictWeights w, String prefix, Kind kind, int in, int out, int stride, boolean channelsLast,
                     boolean gelu, TapeArena arena) {
        this.arena = arena;
        if (kind == Kind.DEPTHWISE && in != out) {
            throw new IllegalArgumentException(prefix + ": a depthwise convolution keeps its channels, got " + in + " -> " + out);
        }
        if (kind == Kind.DEPTHWISE && !channelsLast) {
            throw new IllegalArgumentException(prefix + ": depthwise convolutions here are channel-last");
        }
        if (kind == Kind.POINTWISE && stride != 1) {
            throw new IllegalArgumentException(prefix + ": 1x1 convolutions here have stride 1, got " + stride);
        }
        this.prefix = prefix;
        this.kind = kind;
        this.in = in;
        this.out = out;
        this.stride = stride;
        this.channelsLast = channelsLast;
        this.gelu = gelu;
        int k = kind == Kind.POINTWISE ? 1 : 3;
        this.weight = w.get(prefix + ".c.weight", out, kind == Kind.POINTWISE ? in : 1, k, k);
        this.gamma = w.get(prefix + ".bn.weight", out);
        this.beta = w.get(prefix + ".bn.bias", out);
        this.runningMean = w.get(prefix + ".bn.running_mean", out);
        this.runningVar = w.get(prefix + ".bn.running_var", out);
        this.zeroBias = new float[out];
        if (kind == Kind.DEPTHWISE) {
            tapMajor = new float[9 * out];
            for (int c = 0; c < out; c++) {
                for (int t = 0; t < 9; t++) {
                    tapMajor[t * out + c] = weight[c * 9 + t];
                }
            }
        } else {
            tapMajor = null;
        }
    }

    String prefix() {
        return prefix;
    }

    int outChannels() {
        return out;
    }

    int outputSide(int side) {
        return kind == Kind.POINTWISE ? side : DepthwiseConv3x3.outputSide(side, stride);
    }

    /**
     * @param x     one map per image, {@code [in, side*side]} or {@code [side*side, in]}; kept by the tape (do not
     *              modify it before the backward pass)
     * @param output receives the outputs, one new array per image
     */
    Tape forward(float[][] x, int side, boolean batchStatistics, float[][] output) {
        Tape t = forwardWithoutOutput(x, side, batchStatistics);
        normalize(t, output);
        return t;
    }

    /**
     * The forward pass up to the BatchNorm's statistics: the tape, whose output the caller makes when and where it
     * needs it ({@link #output}, {@link #outputInto}) instead of as a map per image on the heap.
     */
    Tape forwardWithoutOutput(float[][] x, int side, boolean batchStatistics) {
        int os = outputSide(side);
        float[][] conv = convolution(x, side);
        return new Tape(prefix, x, conv, statistics(conv, os * os, batchStatistics), side, batchStatistics);
    }

    /**
     * An image's input to a 1x1 convolution that its caller writes straight into {@link Gemm}'s staging buffer
     * rather than keeping it on the heap: {@code [H*W, in]} from index 0 of {@code into} (grown by the caller).
     */
    interface StagedInput {
        void writeInto(int image, NativeFloats into);
    }

    /**
     * As {@link #forward} for a channel-last 1x1 convolution whose input is written into the product's staging
     * buffer per image ({@code x}) instead of copied there from the heap: the same products and BatchNorm, so the same
     * output. The tape keeps no input; the backward takes it the same way ({@link #backwardStaged}).
     */
    Tape forwardStaged(int batch, int side, StagedInput x, boolean batchStatistics, float[][] output) {
        requireStagedPointwise();
        int px = side * side;
        float[][] conv = new float[batch][];
        for (int i = 0; i < batch; i++) {
            conv[i] = arena.take(px * out);
            x.writeInto(i, Gemm.staging().a.ensure((long) px * in));
            Gemm.multiplyStagedA(px, in, weight, out, conv[i], 0);
        }
        Tape t = new Tape(prefix, null, conv, statistics(conv, px, batchStatistics), side, batchStatistics);
        normalize(t, output);
        return t;
    }

    /**
     * Image {@code i}'s output of the forward pass ({@code [H*W, out]}, channel-last, the BatchNorm with the tape's
     * statistics and GELU when the layer has it) into {@code into} from index 0, grown as needed: the same floats
     * as {@link #output}.
     */
    void outputInto(Tape t, int i, NativeFloats into) {
        if (!channelsLast) {
            throw new IllegalStateException(prefix + ": only channel-last outputs are written off-heap");
        }
        int os = outputSide(t.side());
        int px = os * os;
        BatchNormTraining.normalizeHwc(t.conv()[i], px, out, t.statistics(), gamma, beta, gelu,
                into.ensure((long) px * out));
    }

    private void requireStagedPointwise() {
        if (kind != Kind.POINTWISE || !channelsLast) {
            throw new IllegalStateException(prefix + ": only a channel-last 1x1 convolution takes a staged input");
        }
    }

    /** The BatchNorm's statistics of {@code conv}: the batch's, or the running ones. */
    private BatchNormTraining.Statistics statistics(float[][] conv, int px, boolean batchStatistics) {
        int b = conv.length;
        BatchNormTraining.Statistics st;
        if (batchStatistics) {
            st = channelsLast ? BatchNormTraining.statisticsHwc(conv, px, out, ModelConfig.BN_EPS)
                    : BatchNormTraining.statisticsChw(conv, out, px, ModelConfig.BN_EPS);
        } else {
            float[] inv = new float[out];
            for (int c = 0; c < out; c++) {
                inv[c] = (float) (1.0 / Math.sqrt(runningVar[c] + ModelConfig.BN_EPS));
            }
            st = new BatchNormTraining.Statistics(runningMean.clone(), runningVar.clone(), inv, (long) b * px);
        }
        return st;
    }

    /** The forward's output of tape {@code t}, one array of the arena per image into {@code output}. */
    private void normalize(Tape t, float[][] output) {
        float[][] conv = t.conv();
        int os = outputSide(t.side());
        int px = os * os;
        for (int i = 0; i < conv.length; i++) {
            output[i] = arena.take(px * out);
        }
        if (channelsLast) {
            BatchNormTraining.normalizeHwc(conv, px, out, t.statistics(), gamma, beta, gelu, output);
        } else {
            BatchNormTraining.normalizeChw(conv, out, px, t.statistics(), gamma, beta, gelu, output);
        }
    }

    /**
     * The convolution alone (no BatchNorm), one array of the arena per image: what the forward pass computes
     * first, the same operations, so a caller may drop it from the tape and recompute it from the input.
     */
    float[][] convolution(float[][] x, int side) {
        int os = outputSide(side);
        int px = os * os;
        float[][] conv = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            conv[i] = arena.take(px * out); // written whole: the product, or each pixel's bias plus its taps
            convolve(x[i], side, conv[i]);
        }
        return conv;
    }

    /**
     * The forward pass' output recomputed from its tape (BatchNorm with the tape's statistics, then GELU when the
     * layer has it): the same float operations, so the same values bit for bit. Lets a caller drop an activation
     * from its tape and rebuild it for the backward pass (cheap element-wise work against a 1x1 or 3x3 convolution).
     *
     * @param into one array per image of {@code px * out} values (overwritten), or null for arrays of the arena
     * @return {@code into}, or the arena's arrays (the caller gives them back)
     */
    float[][] output(Tape t, float[][] into) {
        int b = t.conv().length;
        int os = outputSide(t.side());
        int px = os * os;
        float[][] y = into != null ? into : new float[b][];
        for (int i = 0; i < b; i++) {
            if (y[i] == null) {
                y[i] = arena.take(px * out);
            }
        }
        if (channelsLast) {
            BatchNormTraining.normalizeHwc(t.conv(), px, out, t.statistics(), gamma, beta, gelu, y);
        } else {
            BatchNormTraining.normalizeChw(t.conv(), out, px, t.statistics(), gamma, beta, gelu, y);
        }
        return y;
    }

    private void convolve(float[] x, int side, float[] y) {
        int px = side * side;
        if (kind == Kind.POINTWISE) {
            if (channelsLast) {
                Gemm.multiply(x, 0, px, in, weight, 0, out, true, y, 0);
            } else {
                Gemm.multiply(weight, 0, out, in, x, 0, px, false, y, 0);
            }
        } else {
            DepthwiseConv3x3.hwc(x, y, side, out, stride, tapMajor, zeroBias, false);
        }
    }

    /**
     * Backward pass.
     *
     * @param dy     dLoss/doutput per image (overwritten)
     * @param needDx false for the first layer, whose input gradient nobody uses
     * @return dLoss/dinput per image (arrays of the arena, the caller's), or null when {@code needDx} is false
     */
    float[][] backward(Tape t, float[][] dy, boolean needDx, GradientSums g) {
        return backward(t, dy, needDx, false, g);
    }

    /**
     * {@link #backward(Tape, float[][], boolean, GradientSums) Backward pass} that writes dLoss/dinput into arrays
     * the tape holds and the layer no longer needs once its weight gradient is summed, rather than taking new ones:
     * a 1x1 convolution's input (read by {@code dW += dc x^T} only, before {@code dx} is written), a stride-1
     * depthwise convolution's output (read by the BatchNorm backward only, which runs first). The same operations,
     * so the same values; the caller's tape arrays are consumed (the returned arrays are them: give them back once).
     * At LiteMedSAM's full-resolution stage that is one {@code [hidden, H*W]} map per image less at a time.
     */
    float[][] backwardIntoTape(Tape t, float[][] dy, GradientSums g) {
        if (kind == Kind.DEPTHWISE && stride != 1) {
            throw new IllegalStateException(prefix + ": a strided convolution's output cannot hold its input gradient");
        }
        return backward(t, dy, true, true, g);
    }

    private float[][] backward(Tape t, float[][] dy, boolean needDx, boolean intoTape, GradientSums g) {
        requireRestored(t, true);
        int b = dy.length;
        int side = t.side();
        int os = outputSide(side);
        int px = os * os;
        int inPx = side * side;
        if (kind == Kind.POINTWISE && channelsLast && needDx) {
            // dLoss/dconv and the input go off-heap where the products read them
            float[][] dx = new float[b][];
            pointwiseBackward(t, px, dy, (i, into) -> into.putParallel(0, t.input()[i], 0, inPx * in),
                    i -> dx[i] = intoTape ? t.input()[i] : arena.take(inPx * in), g);
            return dx;
        }
        batchNormBackward(t, px, dy, g);
        float[] dW = g.of(prefix + ".c.weight", weight.length);
        float[][] dx = needDx ? new float[b][] : null;
        for (int i = 0; i < b; i++) {
            float[] x = t.input()[i];
            float[] dc = dy[i];
            if (kind == Kind.POINTWISE) {
                if (channelsLast) {
                    // conv [px, out] = x [px, in] W^T: dW += dc^T x, dx = dc W
                    if (needDx) {
                        dx[i] = intoTape ? x : arena.take(inPx * in);
                        Gemm.linearBackward(dc, px, out, x, in, weight, dW, dx[i]);
                    } else {
                        Gemm.multiply(dc, 0, true, out, px, x, 0, false, in, dW, 0, true);
                    }
                } else {
                    // conv [out, px] = W x [in, px]: dW += dc x^T, dx = W^T dc
                    Gemm.multiply(dc, 0, false, out, px, x, 0, true, in, dW, 0, true);
                    if (needDx) {
                        dx[i] = intoTape ? x : arena.take(inPx * in);
                        Gemm.multiply(weight, 0, true, in, out, dc, 0, false, px, dx[i], 0, false);
                    }
                }
            } else {
                // overwritten whole by the gradient kernel, so not zeroed (a [H*W, hidden] pass per image at
                // LiteMedSAM's full-resolution stage)
                float[] d = intoTape ? t.conv()[i] : arena.take(inPx * in);
                DepthwiseConv3x3Gradient.hwc(x, dc, side, out, stride, weight, d, dW);
                if (needDx) {
                    dx[i] = d;
                } else {
                    arena.give(d);
                }
            }
        }
        return dx;
    }

    /**
     * As {@link #backward(Tape, float[][], boolean, GradientSums)} for a channel-last 1x1 convolution whose input the
     * caller writes into {@link Gemm}'s staging buffer per image ({@code x}, the forward's input bit for bit), as
     * {@link #forwardStaged} took it: the same products, so the same gradients.
     *
     * @param dy dLoss/doutput per image (overwritten)
     * @return dLoss/dinput per image, arrays of the arena (the caller's)
     */
    float[][] backwardStaged(Tape t, float[][] dy, StagedInput x, GradientSums g) {
        requireStagedPointwise();
        requireRestored(t, false);
        int px = t.side() * t.side();
        float[][] dx = new float[dy.length][];
        pointwiseBackward(t, px, dy, (i, into) -> x.writeInto(i, into), i -> dx[i] = arena.take(px * in), g);
        return dx;
    }

    /**
     * A channel-last 1x1 convolution's backward: per image, its input into {@link Gemm}'s staging buffer {@code b}
     * ({@code x}), dLoss/dconv into {@code a} (the BatchNorm's second pass writes it there, for batch statistics;
     * otherwise copied from {@code dy}, which the affine backward turned into it), then {@code dW += dc^T x} and
     * {@code dx = dc W} into the array {@code dx} names.
     */
    private void pointwiseBackward(Tape t, int px, float[][] dy, StagedInput x,
                                   java.util.function.IntFunction<float[]> dx, GradientSums g) {
        float[] dW = g.of(prefix + ".c.weight", weight.length);
        BatchNormTraining.InputGradient k = null;
        if (t.batchStatistics()) {
            k = BatchNormTraining.backwardHwcSums(t.conv(), px, out, t.statistics(), gamma, beta, gelu, dy, dy,
                    g.of(prefix + ".bn.weight", out), g.of(prefix + ".bn.bias", out));
        } else {
            batchNormBackward(t, px, dy, g);
        }
        for (int i = 0; i < dy.length; i++) {
            NativeFloats a = Gemm.staging().a.ensure((long) px * out);
            if (k != null) {
                k.image(t.conv()[i], dy[i], px, a);
            } else {
                a.putParallel(0, dy[i], 0, px * out);
            }
            x.writeInto(i, Gemm.staging().b.ensure((long) px * in));
            Gemm.linearBackwardStaged(px, out, in, weight, dW, dx.apply(i));
        }
    }

    /** Throws unless the tape holds its convolution and, when {@code input}, its input for the backward pass. */
    private void requireRestored(Tape t, boolean input) {
        boolean noInput = input && t.input() == null;
        if (noInput || t.conv() == null) {
            throw new IllegalStateException(prefix + ": the tape's " + (noInput ? "input" : "convolution")
                    + " was dropped; restore it before the backward pass");
        }
    }

    /** The BatchNorm's backward (GELU included): {@code dy} becomes dLoss/dconv; sums its gamma and beta gradients. */
    private void batchNormBackward(Tape t, int px, float[][] dy, GradientSums g) {
        float[] dGamma = g.of(prefix + ".bn.weight", out);
        float[] dBeta = g.of(prefix + ".bn.bias", out);
        if (t.batchStatistics()) {
            if (channelsLast) {
                BatchNormTraining.backwardHwc(t.conv(), px, out, t.statistics(), gamma, beta, gelu, dy, dy, dGamma, dBeta);
            } else {
                BatchNormTraining.backwardChw(t.conv(), out, px, t.statistics(), gamma, beta, gelu, dy, dy, dGamma, dBeta);
            }
        } else {
            affineBackward(t, px, dy, dGamma, dBeta);
        }
    }

    /** Gives the tape's maps (its input, when kept, and the convolution outputs) back to the arena. */
    void release(Tape t) {
        arena.give(t.input());
        arena.give(t.conv());
    }

    /**
     * Evaluation-mode BatchNorm backward ({@code z = gamma (x - mean) invStd + beta} with fixed statistics), GELU
     * included: {@code dy} becomes dLoss/dx.
     */
    private void affineBackward(Tape t, int px, float[][] dy, float[] dGamma, float[] dBeta) {
        BatchNormTraining.Statistics st = t.statistics();
        float[] mean = st.mean();
        float[] inv = st.invStd();
        double[] sg = new double[out];
        double[] sgx = new double[out];
        for (int i = 0; i < dy.length; i++) {
            float[] x = t.conv()[i];
            float[] d = dy[i];
            for (int p = 0; p < px; p++) {
                for (int c = 0; c < out; c++) {
                    int idx = channelsLast ? p * out + c : c * px + p;
                    float xhat = (x[idx] - mean[c]) * inv[c];
                    float gr = d[idx];
                    if (gelu) {
                        gr *= Gelu.derivative(gamma[c] * xhat + beta[c]);
                    }
                    sg[c] += gr;
                    sgx[c] += gr * xhat;
                    d[idx] = gr * gamma[c] * inv[c];
                }
            }
        }
        for (int c = 0; c < out; c++) {
            dGamma[c] += (float) sgx[c];
            dBeta[c] += (float) sg[c];
        }
    }
}

package org.umedsam.model;

/**
 * One upstream state-dict entry: its key, PyTorch shape, how it is initialised and whether it is
 * trained (parameters) or a buffer (BatchNorm statistics, the Fourier feature matrix).
 *
 * @param key   upstream key, e.g. {@code image_encoder.layers.1.blocks.0.attn.qkv.weight}
 * @param shape PyTorch shape, e.g. {@code [oC, iC, kH, kW]} for convolutions
 * @param init  initialisation rule
 * @param fanIn fan-in used by the uniform initialisers (1 when unused)
 */
public record ParamSpec(String key, long[] shape, Init init, long fanIn) {

    /** Initialisation rules, following PyTorch's and TinyViT's defaults. */
    public enum Init {
        /** PyTorch default for conv / linear weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
        UNIFORM_FAN_IN,
        /** TinyViT linear weights: truncated normal, std 0.02. */
        TRUNC_NORMAL_002,
        /** N(0, 1): embeddings and the random Fourier matrix. */
        NORMAL,
        ZEROS,
        ONES,
        /** BatchNorm running variance (buffer), 1. */
        RUNNING_VAR,
        /** BatchNorm running mean (buffer), 0. */
        RUNNING_MEAN,
        /** BatchNorm {@code num_batches_tracked} (int64 buffer), 0. */
        BATCH_COUNT,
        /** The prompt encoder's Gaussian matrix (buffer), N(0, 1). */
        GAUSSIAN_BUFFER
    }

    /** Whether the entry is a trainable parameter (not a buffer). */
    public boolean trainable() {
        return switch (init) {
            case RUNNING_VAR, RUNNING_MEAN, BATCH_COUNT, GAUSSIAN_BUFFER -> false;
            default -> true;
        };
    }

    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    public Component component() {
        return Component.of(key);
    }
}

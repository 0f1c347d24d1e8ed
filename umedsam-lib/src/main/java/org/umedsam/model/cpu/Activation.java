package org.umedsam.model.cpu;

/** The element-wise function a {@link Linear} (or a 1x1 convolution) applies after its bias. */
enum Activation {
    /** none: {@code y = x W^T + b}. */
    NONE,
    /** {@code max(y, 0)}. */
    RELU,
    /** exact (erf) GELU, {@link Gelu}. */
    GELU;

    /** {@code y[off, off + len) = this(y)} in place, on the calling thread. */
    void apply(float[] y, int off, int len) {
        if (this == GELU) {
            Gelu.apply(y, off, len);
        } else if (this == RELU) {
            for (int i = off; i < off + len; i++) {
                y[i] = Math.max(y[i], 0f);
            }
        }
    }
}

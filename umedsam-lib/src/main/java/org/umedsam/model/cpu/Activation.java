package org.umedsam.model.cpu;

/** The element-wise function a {@link Linear} applies after its bias. */
enum Activation {
    /** none: {@code y = x W^T + b}. */
    NONE,
    /** {@code max(y, 0)}. */
    RELU,
    /** exact (erf) GELU, {@link Gelu}. */
    GELU
}

package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import java.util.function.Supplier;

/**
 * Whether the mask decoder's inference kernels built on this thread take the Vector API's forms that round
 * differently from the plain loops ({@link VectorFewRowGemm}'s fused multiply-add chains for the few-row products,
 * {@link VectorDecoderRows}' row passes). A training pass builds its decoder {@link #plain}: the pass's outputs, and
 * the loss's gradient with them, then have the same bits with the module and without, so a training run resumed
 * without it continues bit for bit. Inference keeps the faster forms.
 */
final class DecoderKernels {

    private static final ThreadLocal<Boolean> PLAIN = ThreadLocal.withInitial(() -> false);

    private DecoderKernels() {
    }

    /** Whether a decoder kernel built now may take its Vector API form: the module is on, outside {@link #plain}. */
    static boolean vector() {
        return VectorSupport.enabled() && !PLAIN.get();
    }

    /** {@code build}'s result, its decoder kernels built with the plain loops' rounding. */
    static <T> T plain(Supplier<T> build) {
        boolean before = PLAIN.get();
        PLAIN.set(true);
        try {
            return build.get();
        } finally {
            PLAIN.set(before);
        }
    }
}

package org.umedsam.model.cpu;

import java.util.EnumMap;
import java.util.Map;

/**
 * Scratch arrays of one decoding thread, reused across boxes and calls: the image-sized activations
 * are 4-8 MB each, and allocating (zeroing) them per box cost more than the arithmetic of several
 * steps. Heap slots for the Java passes (and the tape-path schedule), off-heap ones ({@link Native}) for
 * sgemm operands; also the last decoded image's {@link ImageContext}. Not thread-safe; {@link MaskDecoder}
 * keeps one per thread. Contents are undefined on return of {@link #get}: every user overwrites what it
 * reads.
 */
final class DecoderBuffers {

    /** What a buffer holds. */
    enum Slot {
        /** the tape-path schedule's image tokens {@code [HW, E]}. */
        KEYS,
        /** its keys + PE {@code [HW, E]}. */
        KEYS_PE,
        /** its image-to-token attention output {@code [HW, E]}. */
        ATTN,
        /** attention probabilities {@code [heads * T, HW]} or {@code [HW, heads * T]}. */
        SCORES,
        /** the image-to-token probabilities transposed, {@code [HW, heads * T]}. */
        SCORES_T,
        /** mask logits of the boxes of a call. */
        MASKS
    }

    /** What an off-heap buffer ({@link NativeFloats}) holds: sgemm operands and results. */
    enum Native {
        /** the inference schedule's image tokens {@code [HW, E]} (first, a new image's tokens to project). */
        KEYS,
        /** keys + PE {@code [HW, E]} (first, a new image's tokens + PE to project). */
        KEYS_PE,
        /** image-to-token attention output {@code [HW, E]}. */
        ATTN,
        /** first up-scaling stage {@code [4 HW, E/4]}. */
        UP1,
        /** second up-scaling stage {@code [16 HW, E/8]}. */
        UP2,
        /** staged left operands of the attentions' products (up to {@code [heads * T, HW]}). */
        STAGE_A,
        /** staged right operands of the attentions' products ({@code [heads * T, E]}). */
        STAGE_B,
        /** products of the attentions read back to the heap (up to {@code [heads * T, HW]}). */
        STAGE_C,
        /** a token-to-image attention's outputs {@code [heads * T, E]}, written by row blocks. */
        STAGE_D
    }

    private final Map<Slot, float[]> arrays = new EnumMap<>(Slot.class);
    private final Map<Native, NativeFloats> natives = new EnumMap<>(Native.class);
    /** The last image this thread decoded, or null. */
    private ImageContext image;

    /** An array of at least {@code size} values for {@code slot}. */
    float[] get(Slot slot, int size) {
        float[] a = arrays.get(slot);
        if (a == null || a.length < size) {
            a = new float[size];
            arrays.put(slot, a);
        }
        return a;
    }

    /** An off-heap buffer of at least {@code size} values for {@code slot}. */
    NativeFloats get(Native slot, long size) {
        return natives.computeIfAbsent(slot, k -> new NativeFloats()).ensure(size);
    }

    /** The last image context this thread made ({@link #image(ImageContext)}), or null. */
    ImageContext image() {
        return image;
    }

    /** Keeps {@code context} for the next calls, replacing the previous one. */
    void image(ImageContext context) {
        this.image = context;
    }
}

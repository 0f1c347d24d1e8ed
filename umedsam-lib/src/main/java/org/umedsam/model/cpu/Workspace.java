package org.umedsam.model.cpu;

import java.util.HashMap;
import java.util.Map;

/**
 * Reusable heap and off-heap buffers of one forward pass on one thread, by slot name, so that repeated passes do not
 * allocate (and zero, and garbage-collect) hundreds of megabytes each. A buffer's content is whatever the
 * last user left: callers overwrite every element they read. Slots that must survive the next module (a
 * module's output) get a name of their own; scratch that dies when a module returns may share a name.
 * Not thread-safe: one workspace per thread.
 */
final class Workspace {

    private final Map<String, float[]> slots = new HashMap<>();
    private final Map<String, NativeFloats> offHeap = new HashMap<>();

    /** The buffer of {@code slot}, at least {@code length} floats long (grown when shorter). */
    float[] get(String slot, int length) {
        float[] a = slots.get(slot);
        if (a == null || a.length < length) {
            slots.remove(slot);
            a = new float[length];
            slots.put(slot, a);
        }
        return a;
    }

    /** The off-heap buffer of {@code slot} (empty at first; callers grow it with {@link NativeFloats#ensure}). */
    NativeFloats offHeap(String slot) {
        return offHeap.computeIfAbsent(slot, k -> new NativeFloats());
    }
}

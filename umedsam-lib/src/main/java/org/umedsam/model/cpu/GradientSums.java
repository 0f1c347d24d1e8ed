package org.umedsam.model.cpu;

import java.util.HashMap;
import java.util.Map;

/**
 * Gradient accumulators of model parameters by state-dict key, each a flat row-major
 * {@code float[]} in the parameter's PyTorch layout, created zeroed on first use and summed into over
 * the items of a batch. Not thread-safe: one per {@code gradients} call.
 */
final class GradientSums {

    private final Map<String, float[]> sums = new HashMap<>();

    /** The accumulator of {@code key}, {@code size} values. */
    float[] of(String key, int size) {
        float[] a = sums.computeIfAbsent(key, k -> new float[size]);
        if (a.length != size) {
            throw new IllegalStateException("gradient of " + key + " has " + a.length + " values, asked for " + size);
        }
        return a;
    }

    /** The accumulated gradient of {@code key}, or null when nothing reached it. */
    float[] get(String key) {
        return sums.get(key);
    }
}

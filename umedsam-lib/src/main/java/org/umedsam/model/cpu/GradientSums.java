package org.umedsam.model.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.NdArrays;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Gradient accumulators of model parameters by state-dict key, each a flat row-major
 * {@code float[]} in the parameter's PyTorch layout, created zeroed on first use and summed into over
 * the items of a batch. Not thread-safe: one per backward pass.
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

    /**
     * The sums for the keys of {@code wrt} as fresh float arrays in the shapes of {@code shapes} (zeros for a key
     * nothing reached), in the order of {@code wrt}.
     */
    Map<String, INDArray> toArrays(Set<String> wrt, Map<String, long[]> shapes) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String k : wrt) {
            long[] shape = shapes.get(k);
            float[] v = sums.get(k);
            out.put(k, v == null ? Nd4j.zeros(DataType.FLOAT, shape) : NdArrays.fromHeap(v, v.length, shape));
        }
        return out;
    }
}

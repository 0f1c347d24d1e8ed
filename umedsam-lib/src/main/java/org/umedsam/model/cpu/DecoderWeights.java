package org.umedsam.model.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads state-dict entries (upstream key names, PyTorch shapes) into heap {@code float[]} copies,
 * checking presence and shape; a problem is an {@link IllegalArgumentException} naming the key.
 * Each key is copied once: later reads of the same key return the same array (read-only by
 * convention), so the forward pass and {@link CpuMaskDecoderGradients} share one snapshot.
 */
final class DecoderWeights {

    private final Map<String, INDArray> stateDict;
    private final Map<String, float[]> taken = new HashMap<>();

    DecoderWeights(Map<String, INDArray> stateDict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("state dict is null");
        }
        this.stateDict = stateDict;
    }

    /** The entry {@code key}, which must have exactly {@code shape}, as a row-major copy. */
    float[] take(String key, long... shape) {
        INDArray a = stateDict.get(key);
        if (a == null) {
            throw new IllegalArgumentException("state dict has no key " + key);
        }
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("state dict key " + key + " has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        if (!a.dataType().isFPType()) {
            throw new IllegalArgumentException("state dict key " + key + " has type " + a.dataType() + ", expected a float type");
        }
        return taken.computeIfAbsent(key, k -> floats(a));
    }

    /** Shapes of the state-dict entries whose key starts with {@code prefix}, in the map's order. */
    Map<String, long[]> shapes(String prefix) {
        Map<String, long[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, INDArray> en : stateDict.entrySet()) {
            if (en.getKey().startsWith(prefix)) {
                out.put(en.getKey(), en.getValue().shape());
            }
        }
        return out;
    }

    /** A row-major heap copy of {@code a} (one copy when {@code a} is already a whole float c-order buffer). */
    static float[] floats(INDArray a) {
        INDArray c = a;
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.isView() || a.data().length() != a.length()) {
            c = a.castTo(DataType.FLOAT).dup('c');
        }
        float[] v = c.data().asFloat();
        return v.length == a.length() ? v : Arrays.copyOf(v, (int) a.length());
    }

    /** A PyTorch {@code Linear} {@code prefix.weight [out, in]}, {@code prefix.bias [out]}. */
    DecoderLinear linear(String prefix, int in, int out) {
        return new DecoderLinear(take(prefix + ".weight", out, in), take(prefix + ".bias", out), in, out);
    }

    /** A LayerNorm's {@code weight} and {@code bias}, {@code [dim]} each. */
    float[][] norm(String prefix, int dim) {
        return new float[][]{take(prefix + ".weight", dim), take(prefix + ".bias", dim)};
    }
}

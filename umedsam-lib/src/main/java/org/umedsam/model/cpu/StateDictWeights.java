package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.NdArrays;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads state-dict entries (upstream key names, PyTorch shapes) as row-major heap {@code float[]} copies,
 * checking each key's presence, shape and floating-point type; a problem is an
 * {@link IllegalArgumentException} naming the key. Shared with the ONNX export, which reads the weights the
 * way this engine runs them.
 */
public final class StateDictWeights {

    private final Map<String, INDArray> stateDict;

    public StateDictWeights(Map<String, INDArray> stateDict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("state dict is null");
        }
        this.stateDict = stateDict;
    }

    /**
     * A copy of entry {@code key}, row-major.
     *
     * @throws IllegalArgumentException naming the key when it is missing, its shape is not {@code shape}
     *                                  or its type is not a floating-point one
     */
    public float[] get(String key, long... shape) {
        INDArray a = stateDict.get(key);
        if (a == null) {
            throw new IllegalArgumentException("state dict has no entry " + key);
        }
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("state dict entry " + key + " has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        if (!a.dataType().isFPType()) {
            throw new IllegalArgumentException("state dict entry " + key + " has type " + a.dataType()
                    + ", expected a float type");
        }
        return NdArrays.toHeap(a);
    }

    /** A LayerNorm's {@code weight} and {@code bias}, {@code [dim]} each. */
    float[][] norm(String prefix, int dim) {
        return new float[][]{get(prefix + ".weight", dim), get(prefix + ".bias", dim)};
    }

    /** Shapes of the state-dict entries whose key starts with {@code prefix}, in the map's order. */
    Map<String, long[]> shapes(String prefix) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> en : stateDict.entrySet()) {
            if (en.getKey().startsWith(prefix)) {
                out.put(en.getKey(), en.getValue().shape());
            }
        }
        return out;
    }
}

package org.umedsam.model.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/**
 * Reads state-dict entries (upstream key names, PyTorch shapes) as row-major heap {@code float[]} copies,
 * checking each key's presence and shape.
 */
final class StateDictWeights {

    private final Map<String, INDArray> stateDict;

    StateDictWeights(Map<String, INDArray> stateDict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("state dict is null");
        }
        this.stateDict = stateDict;
    }

    /**
     * A copy of entry {@code key}, row-major.
     *
     * @throws IllegalArgumentException naming the key when it is missing or its shape is not {@code shape}
     */
    float[] get(String key, long... shape) {
        INDArray a = stateDict.get(key);
        if (a == null) {
            throw new IllegalArgumentException("state dict has no entry " + key);
        }
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("state dict entry " + key + " has shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        if (!f.isView() && f.ordering() == 'c' && f.offset() == 0 && f.data().length() == f.length()) {
            return f.data().asFloat();
        }
        return f.dup('c').data().asFloat();
    }
}

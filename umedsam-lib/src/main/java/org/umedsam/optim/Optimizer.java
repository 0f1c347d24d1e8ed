package org.umedsam.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A first-order optimizer over named parameters that it updates in place. Parameters without a
 * gradient in a step are left untouched (frozen groups).
 */
public interface Optimizer {
    /** Updates {@code parameters} in place from {@code gradients} (same names, same shapes). */
    void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients);

    double learningRate();

    void setLearningRate(double lr);

    /** All state needed to continue bit for bit, as named arrays (copies). */
    Map<String, INDArray> stateDict();

    /** Restores what {@link #stateDict()} returned. */
    void loadStateDict(Map<String, INDArray> state);
}

package org.umedsam.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Plain gradient descent {@code w -= lr * g}; a base optimizer whose SAM step has a closed form. */
public final class Sgd extends LearningRateOptimizer {

    public Sgd(double lr) {
        super(lr);
    }

    @Override
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients) {
        for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
            INDArray w = parameters.get(e.getKey());
            if (w == null) {
                throw new IllegalArgumentException("gradient for unknown parameter '" + e.getKey() + "'");
            }
            w.subi(e.getValue().castTo(w.dataType()).mul(learningRate()));
        }
    }

    @Override
    public Map<String, INDArray> stateDict() {
        return rateState();
    }

    @Override
    public void loadStateDict(Map<String, INDArray> state) {
        if (state.containsKey(RATE_KEY)) {
            restoreRate(state.get(RATE_KEY));
        }
    }
}

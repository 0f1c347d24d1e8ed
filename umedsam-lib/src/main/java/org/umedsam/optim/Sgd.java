package org.umedsam.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Plain gradient descent {@code w -= lr * g}; a base optimizer whose SAM step has a closed form. */
public final class Sgd implements Optimizer {
    private double lr;

    public Sgd(double lr) {
        setLearningRate(lr);
    }

    @Override
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients) {
        for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
            INDArray w = parameters.get(e.getKey());
            if (w == null) {
                throw new IllegalArgumentException("gradient for unknown parameter '" + e.getKey() + "'");
            }
            w.subi(e.getValue().castTo(w.dataType()).mul(lr));
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("lr", Nd4j.scalar(DataType.DOUBLE, lr));
        return out;
    }

    @Override
    public void loadStateDict(Map<String, INDArray> state) {
        if (state.containsKey("lr")) {
            lr = state.get("lr").getDouble(0);
        }
    }
}

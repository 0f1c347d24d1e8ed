package org.umedsam.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link Sgd} and {@link AdamW} share about their learning rate: the current rate, {@code >= 0} and
 * finite (anything else refused with a one-line error), changed between steps by schedules such as
 * {@link ReduceLrOnPlateau} through {@link #setLearningRate}, and kept in the state dict as the double scalar
 * {@code "lr"} so that a resumed run continues with the rate it stopped at.
 */
abstract class LearningRateOptimizer implements Optimizer {
    /** The state-dict key of the rate. */
    static final String RATE_KEY = "lr";

    private double lr;

    LearningRateOptimizer(double lr) {
        setLearningRate(lr);
    }

    /** {@code lr} itself, or an IllegalArgumentException unless it is {@code >= 0} and finite. */
    static double checkedRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, got " + lr);
        }
        return lr;
    }

    @Override
    public final double learningRate() {
        return lr;
    }

    @Override
    public final void setLearningRate(double lr) {
        this.lr = checkedRate(lr);
    }

    /** A new, ordered state dict holding the rate under {@link #RATE_KEY}; subclasses add their own state. */
    final Map<String, INDArray> rateState() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(RATE_KEY, Nd4j.scalar(DataType.DOUBLE, lr));
        return out;
    }

    /** Restores the rate {@link #rateState} saved, as saved (a scalar array). */
    final void restoreRate(INDArray saved) {
        lr = saved.getDouble(0);
    }
}

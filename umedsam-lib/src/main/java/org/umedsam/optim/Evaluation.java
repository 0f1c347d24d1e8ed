package org.umedsam.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pass of a {@link GradientClosure}.
 *
 * @param gradients d loss / d parameter for every parameter being trained
 * @param details   the caller's own result of the pass
 */
public record Evaluation<T>(Map<String, INDArray> gradients, T details) {
}

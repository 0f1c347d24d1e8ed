package org.umedsam.optim;

import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Global L2 norm over a set of named gradients, summed in double in name order (deterministic). */
public final class GradientNorm {
    private GradientNorm() {
    }

    public static double of(Map<String, INDArray> gradients) {
        double sq = 0;
        for (INDArray g : new TreeMap<>(gradients).values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        return Math.sqrt(sq);
    }
}

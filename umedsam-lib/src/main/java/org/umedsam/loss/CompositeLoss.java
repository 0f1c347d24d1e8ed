package org.umedsam.loss;

import java.util.List;

/** Several {@link SegLoss} terms combined into one scalar, possibly with learnable log-sigmas. */
public interface CompositeLoss {
    /** Names of the terms, in order. */
    List<String> termNames();

    /** Number of learnable log-sigmas {@code s_m} (0 for fixed weights). */
    int logSigmaCount();

    /** Initial log-sigmas (sigma = 1, s = 0), length {@link #logSigmaCount()}. */
    default double[] initialLogSigmas() {
        return new double[logSigmaCount()];
    }

    CombinedLoss evaluate(MaskBatch batch, double[] logSigmas);
}

package org.umedsam.data;

import java.util.Map;
import java.util.TreeMap;

/**
 * How {@link TrainingSampler} draws training samples (LiteMedSAM's trainer defaults).
 *
 * @param seed base seed; each epoch's order and each sample derive from {@code (seed, epoch, position)}
 * @param bboxShift each box side moves outward by a uniform random {@code 0..bboxShift} pixels (LiteMedSAM: 5)
 * @param flips random left-right and up-down flips, p = 0.5 each (LiteMedSAM: on)
 * @param connectedComponent target one random 8-connected component (area &gt; 3) of the chosen
 *     label instead of the whole label (off in LiteMedSAM's trainer)
 * @param capPerModality at most this many cases of a modality per epoch (others: no cap); a
 *     modality's cases are shuffled per epoch before capping, so every case is seen over epochs
 */
public record SamplerConfig(long seed, int bboxShift, boolean flips, boolean connectedComponent,
                            Map<String, Integer> capPerModality) {
    public SamplerConfig {
        if (bboxShift < 0) {
            throw new IllegalArgumentException("bboxShift must be >= 0, got " + bboxShift);
        }
        capPerModality = Map.copyOf(new TreeMap<>(capPerModality));
        for (var e : capPerModality.entrySet()) {
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("cap for " + e.getKey() + " must be >= 1, got " + e.getValue());
            }
        }
    }

    /** Seed 2024, bboxShift 5, flips on, whole labels, no caps. */
    public static SamplerConfig defaults() {
        return new SamplerConfig(2024L, 5, true, false, Map.of());
    }

    public SamplerConfig withSeed(long s) {
        return new SamplerConfig(s, bboxShift, flips, connectedComponent, capPerModality);
    }

    public SamplerConfig withCaps(Map<String, Integer> caps) {
        return new SamplerConfig(seed, bboxShift, flips, connectedComponent, caps);
    }

    public SamplerConfig withConnectedComponent(boolean on) {
        return new SamplerConfig(seed, bboxShift, flips, on, capPerModality);
    }

    /** The cap for a modality ({@link Integer#MAX_VALUE} when none). */
    public int capFor(String modality) {
        return capPerModality.getOrDefault(modality, Integer.MAX_VALUE);
    }
}

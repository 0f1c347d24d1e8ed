package org.umedsam.data;

import java.util.Map;
import java.util.TreeMap;

/**
 * How {@link TrainingSampler} draws training samples (LiteMedSAM's trainer defaults, plus the
 * options a pre-training run wants).
 *
 * @param seed base seed; each epoch's order and each sample derive from {@code (seed, epoch, position)}
 * @param bboxShift each box side moves outward by a uniform random {@code 0..bboxShift} pixels (LiteMedSAM: 5)
 * @param flips random left-right and up-down flips, p = 0.5 each (LiteMedSAM: on)
 * @param connectedComponent target one random 8-connected component (area &gt; 3) of the chosen
 *     label instead of the whole label (off in LiteMedSAM's trainer)
 * @param capPerModality at most this many cases of a modality per epoch (others: no cap); a
 *     modality's cases are shuffled per epoch before capping, so every case is seen over epochs
 * @param boxesPerImage samples drawn from one image (slice, flips and intensity change shared), each
 *     with another of its labels where there are enough, so a trainer can embed the image once for
 *     several boxes; an epoch then has {@code boxesPerImage} consecutive positions per case (1: LiteMedSAM)
 * @param intensity random intensity and contrast changes ({@link IntensityAugmentation}; off in LiteMedSAM)
 */
public record SamplerConfig(long seed, int bboxShift, boolean flips, boolean connectedComponent,
                            Map<String, Integer> capPerModality, int boxesPerImage, boolean intensity) {
    public SamplerConfig {
        if (bboxShift < 0) {
            throw new IllegalArgumentException("bboxShift must be >= 0, got " + bboxShift);
        }
        if (boxesPerImage < 1 || boxesPerImage > 64) {
            throw new IllegalArgumentException("boxesPerImage must lie in 1..64, got " + boxesPerImage);
        }
        capPerModality = Map.copyOf(new TreeMap<>(capPerModality));
        for (var e : capPerModality.entrySet()) {
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("cap for " + e.getKey() + " must be >= 1, got " + e.getValue());
            }
        }
    }

    /** LiteMedSAM's sampler: one box per image, no intensity changes. */
    public SamplerConfig(long seed, int bboxShift, boolean flips, boolean connectedComponent,
                         Map<String, Integer> capPerModality) {
        this(seed, bboxShift, flips, connectedComponent, capPerModality, 1, false);
    }

    /** Seed 2024, bboxShift 5, flips on, whole labels, no caps, one box per image, no intensity changes. */
    public static SamplerConfig defaults() {
        return new SamplerConfig(2024L, 5, true, false, Map.of());
    }

    public SamplerConfig withSeed(long s) {
        return new SamplerConfig(s, bboxShift, flips, connectedComponent, capPerModality, boxesPerImage, intensity);
    }

    public SamplerConfig withCaps(Map<String, Integer> caps) {
        return new SamplerConfig(seed, bboxShift, flips, connectedComponent, caps, boxesPerImage, intensity);
    }

    public SamplerConfig withConnectedComponent(boolean on) {
        return new SamplerConfig(seed, bboxShift, flips, on, capPerModality, boxesPerImage, intensity);
    }

    public SamplerConfig withBboxShift(int shift) {
        return new SamplerConfig(seed, shift, flips, connectedComponent, capPerModality, boxesPerImage, intensity);
    }

    public SamplerConfig withBoxesPerImage(int k) {
        return new SamplerConfig(seed, bboxShift, flips, connectedComponent, capPerModality, k, intensity);
    }

    public SamplerConfig withIntensity(boolean on) {
        return new SamplerConfig(seed, bboxShift, flips, connectedComponent, capPerModality, boxesPerImage, on);
    }

    /** The cap for a modality ({@link Integer#MAX_VALUE} when none). */
    public int capFor(String modality) {
        return capPerModality.getOrDefault(modality, Integer.MAX_VALUE);
    }
}

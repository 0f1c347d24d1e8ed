package org.umedsam.train;

/**
 * Training items by epoch and position. {@code example(epoch, position)} must be a pure function of
 * its arguments (order and augmentation drawn from them and a fixed seed); that is what makes a
 * resumed run repeat the uninterrupted one exactly. The data pipeline's
 * {@code org.umedsam.data.TrainingSampler} has this shape ({@link SamplerSource}); indexed items get
 * a seeded shuffle from {@link ShuffledSource}.
 */
public interface TrainingSource {
    /** Items in {@code epoch} (may vary by epoch, e.g. per-modality caps). */
    int epochSize(int epoch);

    TrainingExample example(int epoch, int position);

    /**
     * A key under which the item's mask, and so its distance maps, recurs unchanged; -1 when it
     * does not (random flips, random label choice). Non-negative keys let the trainer compute the
     * distance maps once per item instead of once per step.
     */
    default long cacheKey(int epoch, int position) {
        return -1;
    }

    /**
     * Cases left out of this source because they could not be read (each as "file: problem"), so
     * the run's record ({@code run.json}) can count them; empty unless bad cases were skipped on
     * request.
     */
    default java.util.List<String> skippedCases() {
        return java.util.List.of();
    }

    /**
     * The folder of cases this source was made from (absolute), so the run's record ({@code run.json},
     * {@code data}) can name it and a resume can train on the same cases; null when not made from a folder.
     */
    default java.nio.file.Path dataDir() {
        return null;
    }
}

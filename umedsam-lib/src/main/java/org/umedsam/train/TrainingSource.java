package org.umedsam.train;

/**
 * Indexed training items. {@code example(index, seed)} must be a pure function of its arguments
 * (any augmentation drawn from {@code seed}); that is what makes a resumed run repeat the
 * uninterrupted one exactly.
 */
public interface TrainingSource {
    int size();

    TrainingExample example(int index, long seed);

    /**
     * True when an item's mask does not depend on {@code seed} (no geometric augmentation), so the
     * trainer may cache its distance maps by index.
     */
    default boolean masksIndependentOfSeed() {
        return false;
    }
}

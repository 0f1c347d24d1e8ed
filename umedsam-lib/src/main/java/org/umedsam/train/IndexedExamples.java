package org.umedsam.train;

/** Items by index; {@code example(index, seed)} must be a pure function of its arguments. */
public interface IndexedExamples {
    int size();

    TrainingExample example(int index, long seed);

    /** True when an item's mask does not depend on {@code seed} (no geometric augmentation). */
    default boolean masksIndependentOfSeed() {
        return false;
    }
}

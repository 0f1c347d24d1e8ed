package org.umedsam.train;

import java.util.Random;

/**
 * Indexed items in a fresh permutation every epoch, drawn from {@code (seed, epoch)}; each item's
 * augmentation seed is drawn from {@code (seed, epoch, index)}. With {@code shuffle = false} (a
 * validation split) the order is the index order and the seed the same every epoch.
 */
public final class ShuffledSource implements TrainingSource {
    private final IndexedExamples items;
    private final long seed;
    private final boolean shuffle;

    public ShuffledSource(IndexedExamples items, long seed, boolean shuffle) {
        this.items = items;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    /** Shuffled every epoch. */
    public static ShuffledSource training(IndexedExamples items, long seed) {
        return new ShuffledSource(items, seed, true);
    }

    /** Fixed order, fixed augmentation seed: the same items every epoch. */
    public static ShuffledSource validation(IndexedExamples items, long seed) {
        return new ShuffledSource(items, seed, false);
    }

    @Override
    public int epochSize(int epoch) {
        return items.size();
    }

    private int index(int epoch, int position) {
        return shuffle ? epochOrder(seed, epoch, items.size())[position] : position;
    }

    @Override
    public TrainingExample example(int epoch, int position) {
        int i = index(epoch, position);
        return items.example(i, shuffle ? mix(seed, epoch, i) : mix(seed, -1, i));
    }

    @Override
    public long cacheKey(int epoch, int position) {
        return !shuffle || items.masksIndependentOfSeed() ? index(epoch, position) : -1;
    }

    /** The permutation of {@code [0, n)} used in {@code epoch}. */
    public static int[] epochOrder(long seed, int epoch, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random r = new Random(mix(seed, epoch, -1));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** A well-mixed 64-bit seed from (seed, epoch, index) (SplitMix64 finaliser). */
    public static long mix(long seed, long epoch, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

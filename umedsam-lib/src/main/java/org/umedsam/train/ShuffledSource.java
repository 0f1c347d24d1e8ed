package org.umedsam.train;

import java.util.Random;
import org.umedsam.data.Seeds;

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
        return items.example(i, shuffle ? Seeds.mix(seed, epoch, i) : Seeds.mix(seed, -1, i));
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
        Random r = new Random(Seeds.mix(seed, epoch, -1));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

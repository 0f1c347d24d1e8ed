package org.umedsam.analysis;

import org.umedsam.train.TrainingExample;
import org.umedsam.train.TrainingSource;

/**
 * The first {@code limit} items of every epoch of another {@link TrainingSource}: a validation
 * pass or a landscape batch of bounded cost, with the same items (and cache keys) as the source.
 */
final class LimitedSource implements TrainingSource {
    private final TrainingSource source;
    private final int limit;

    LimitedSource(TrainingSource source, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        this.source = source;
        this.limit = limit;
    }

    @Override
    public int epochSize(int epoch) {
        return Math.min(limit, source.epochSize(epoch));
    }

    @Override
    public TrainingExample example(int epoch, int position) {
        return source.example(epoch, position);
    }

    @Override
    public long cacheKey(int epoch, int position) {
        return source.cacheKey(epoch, position);
    }
}

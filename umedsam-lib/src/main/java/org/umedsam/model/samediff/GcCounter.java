package org.umedsam.model.samediff;

/**
 * Calls {@code System.gc()} on every {@code n}-th counted pass. ND4J frees a native buffer only when the
 * Java GC collects its owner, and a model pass makes little heap garbage, so without a hint the GC seldom
 * runs and resident memory grows with every pass. The one such counter: {@link SameDiffEngine} counts its
 * passes.
 *
 * <p>Not thread-safe: count under the lock that guards the passes.
 */
public final class GcCounter {
    private final int every;
    private long count;

    /** @param every passes per {@code System.gc()}, at least 1 */
    public GcCounter(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("a GC counter needs every >= 1, got " + every);
        }
        this.every = every;
    }

    /** Counts one pass; on every {@code every}-th calls {@code System.gc()} and returns true. */
    public boolean count() {
        if (++count % every != 0) {
            return false;
        }
        System.gc();
        return true;
    }

    /** Passes per {@code System.gc()}. */
    public int every() {
        return every;
    }
}

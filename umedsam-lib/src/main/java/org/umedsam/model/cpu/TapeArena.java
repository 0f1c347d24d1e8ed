package org.umedsam.model.cpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Float arrays of the CPU engine's training passes, kept for reuse by exact length. A training step allocates
 * the same activation and gradient maps every pass (about 7 GB of them at LiteMedSAM batch 2: tape, transient
 * maps, recomputed maps, input gradients), mostly arrays large enough for the collector to treat each one
 * apart; allocated fresh, that churn makes the JVM grow its heap to the maximum and pay page faults and zeroing
 * on every pass. With an arena, a pass takes its arrays from the ones earlier passes gave back, so the heap
 * stays at about one pass' working set, and SAM's second pass reuses the first pass' arrays.
 *
 * <p>Ownership: an array {@link #take taken} belongs to the code that took it until it is {@link #give given}
 * back, once; after that nothing may read or write it. Arrays never given back are simply left to the
 * collector. The arena holds at most what was given back, so it never exceeds the peak of one pass (shapes do
 * not change between the passes of a run). Thread-safe; {@link #NONE} allocates fresh arrays and keeps nothing.
 */
public final class TapeArena {

    /** An arena that pools nothing: {@link #take} allocates, {@link #give} drops. */
    public static final TapeArena NONE = new TapeArena(false);

    private final boolean pooling;
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long pooledFloats;

    public TapeArena() {
        this(true);
    }

    private TapeArena(boolean pooling) {
        this.pooling = pooling;
    }

    /** An array of exactly {@code n} floats whose contents are unspecified (the caller overwrites all of it). */
    float[] take(int n) {
        if (pooling) {
            synchronized (this) {
                ArrayDeque<float[]> q = free.get(n);
                if (q != null && !q.isEmpty()) {
                    pooledFloats -= n;
                    return q.pop();
                }
            }
        }
        return new float[n];
    }

    /**
     * Gives an array back for reuse; null is ignored.
     *
     * @throws IllegalStateException when the array is already in the arena (given back twice)
     */
    void give(float[] a) {
        if (a == null || !pooling) {
            return;
        }
        synchronized (this) {
            ArrayDeque<float[]> q = free.computeIfAbsent(a.length, k -> new ArrayDeque<>());
            for (float[] x : q) {
                if (x == a) {
                    throw new IllegalStateException("an array of " + a.length + " floats was given back twice");
                }
            }
            q.push(a);
            pooledFloats += a.length;
        }
    }

    /** {@link #give} of each array of {@code as} (null entries and a null {@code as} ignored). */
    void give(float[][] as) {
        if (as != null) {
            for (float[] a : as) {
                give(a);
            }
        }
    }

    /** Bytes of the arrays the arena holds for reuse now. */
    public synchronized long pooledBytes() {
        return pooledFloats * Float.BYTES;
    }
}

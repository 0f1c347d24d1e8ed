package org.umedsam.data;

/**
 * Seeds derived from where a run stands, {@code (seed, epoch, index)}, so that data order and
 * augmentation are pure functions of the position and a resumed run draws what the uninterrupted one
 * would have. The one seed mixer of the toolkit: the SplitMix64 finaliser of a weighted sum of the
 * three numbers and a stream constant.
 */
public final class Seeds {
    /** Stream of the training sampler's draws, so they differ from the shuffling's of the same seed. */
    public static final long SAMPLER_STREAM = 0x632BE59BD9B4E019L;

    private Seeds() {
    }

    /** A well-mixed 64-bit seed from {@code (seed, epoch, index)} on stream 0. */
    public static long mix(long seed, long epoch, long index) {
        return mix(seed, epoch, index, 0L);
    }

    /** A well-mixed 64-bit seed from {@code (seed, epoch, index)} on a given stream. */
    public static long mix(long seed, long epoch, long index, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL + stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

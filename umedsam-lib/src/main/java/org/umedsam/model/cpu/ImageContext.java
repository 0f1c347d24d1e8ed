package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.NdArrays;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the decoder prepares once per image embedding and reuses for every box of that image, in this and
 * later calls on the same thread: the image tokens {@code src [HW, E]} (embedding + no_mask_embed),
 * {@code src + PE}, and the first transformer block's image projections ({@link FirstBlockInference.Image}).
 *
 * <p>Why: callers decode an image's boxes one call at a time (a box per object, per slice); the image side
 * of the first block costs about as much as three boxes' first blocks. Reuse is decided by comparing the
 * embedding's values (bit for bit, NaN payloads aside; well under a millisecond for LiteMedSAM) and the decoder schedule's identity, so a
 * changed embedding or another model never reads stale projections, and a box gets the same bits as with
 * a fresh context. Memory: the embedding copy and two {@code [HW, E]} arrays on heap (12 MB for LiteMedSAM),
 * three {@code [HW, E/2]} projections off-heap (6 MB). When {@link MaskDecoder} replaces its thread's context it
 * hands these arrays to the next one, which overwrites them: making a context cost a LiteMedSAM decode about
 * 13 ms with new arrays each time (G1 allocates arrays this large as humongous objects, and the old projections'
 * native memory waited for a collection), against 15 ms for the decode itself (2026-12-06).
 */
final class ImageContext {

    private final Object owner;
    private final float[] embedding;
    final float[] src;
    final float[] srcPe;
    /** Null when the transformer has no blocks. */
    final FirstBlockInference.Image firstBlock;

    /**
     * @param owner     the decoder schedule the context was made for (compared by identity)
     * @param embedding the embedding {@code [E, HW]} it was made from; kept, so the caller must not change it
     */
    ImageContext(Object owner, float[] embedding, float[] src, float[] srcPe, FirstBlockInference.Image firstBlock) {
        this.owner = owner;
        this.embedding = embedding;
        this.src = src;
        this.srcPe = srcPe;
        this.firstBlock = firstBlock;
    }

    /** The embedding's copy it was made from, for the next context to overwrite once this one is replaced. */
    float[] embedding() {
        return embedding;
    }

    /** Whether this context was made by {@code owner} from an embedding with exactly these values. */
    boolean isFor(Object owner, float[] embedding) {
        if (this.owner != owner || this.embedding.length != embedding.length) {
            return false;
        }
        // bit patterns (Arrays.mismatch compares raw bits; it only equates NaNs with different payloads)
        return Arrays.mismatch(this.embedding, embedding) < 0;
    }

    /**
     * As {@link #isFor(Object, float[])}, reading {@code embedding} where it lives (in chunks through a small
     * scratch per thread, skipping the rest after a difference) instead of copying all of it to the heap first: a
     * repeated call on the same image no longer allocates and fills a 4 MB array (LiteMedSAM) just to compare it.
     * The chunks are compared on the engine's threads: a LiteMedSAM decode spent about 0.9 ms of one thread here
     * while the other idled (a 2-core Zen 4 VM, 2026-12-06; the comparison alone 0.25 ms sequential, 0.17 ms on
     * two threads with the embedding in cache).
     */
    boolean isFor(Object owner, INDArray embedding) {
        int n = this.embedding.length;
        if (this.owner != owner || embedding.length() != n) {
            return false;
        }
        if (!NdArrays.wholeFloatBuffer(embedding)) {
            return isFor(owner, NdArrays.toHeap(embedding));
        }
        FloatBuffer values = NdArrays.floats(embedding);
        AtomicBoolean differs = new AtomicBoolean();
        ChunkedParallel.forEach((n + CHUNK - 1) / CHUNK, c -> {
            if (differs.get()) {
                return;
            }
            int i = c * CHUNK;
            int len = Math.min(CHUNK, n - i);
            float[] chunk = SCRATCH.get();
            values.get(i, chunk, 0, len); // an absolute read: the buffer's position stays, so threads may share it
            if (Arrays.mismatch(this.embedding, i, i + len, chunk, 0, len) >= 0) {
                differs.set(true);
            }
        });
        return !differs.get();
    }

    /** Values compared per bulk read (64 KB). */
    private static final int CHUNK = 1 << 14;
    /** Per thread, one chunk of the embedding read back to the heap. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);
}

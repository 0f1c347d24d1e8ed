package org.umedsam.model.cpu;

import java.util.Arrays;

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
 * three {@code [HW, E/2]} projections off-heap (6 MB).
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

    /** Whether this context was made by {@code owner} from an embedding with exactly these values. */
    boolean isFor(Object owner, float[] embedding) {
        if (this.owner != owner || this.embedding.length != embedding.length) {
            return false;
        }
        // bit patterns (Arrays.mismatch compares raw bits; it only equates NaNs with different payloads)
        return Arrays.mismatch(this.embedding, embedding) < 0;
    }
}

package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

/**
 * SAM's prompt encoder for box prompts on heap arrays (segment_anything/modeling/prompt_encoder.py,
 * as {@code org.umedsam.model.PromptEncoder}).
 *
 * <p>Random Fourier positional encoding: coords in [0,1] -> {@code 2c-1} -> {@code @ G [2, E/2]} ->
 * {@code * 2 pi} -> {@code [sin, cos]}, computed in float32 like upstream. A box {@code x0,y0,x1,y1}
 * becomes two corner tokens {@code pe((corner + 0.5) / S) + point_embeddings[2 or 3]}. Without a mask
 * prompt the dense embedding is {@code no_mask_embed} at every grid cell.
 */
final class PromptEncoder {

    private static final String P = "prompt_encoder.";
    private static final float TWO_PI = (float) (2.0 * Math.PI);

    private final int dim;
    private final int grid;
    private final float imageSize;
    /** {@code [2, E/2]}. */
    private final float[] gaussian;
    private final float[] topLeft;
    private final float[] bottomRight;
    /** {@code [E]}. */
    final float[] noMaskEmbed;
    private volatile float[] densePe;

    PromptEncoder(ModelConfig config, StateDictWeights w) {
        this.dim = config.promptEmbedDim();
        this.grid = config.embeddingSize();
        this.imageSize = config.imageSize();
        this.gaussian = w.get(P + "pe_layer.positional_encoding_gaussian_matrix", 2, dim / 2);
        this.topLeft = w.get(P + "point_embeddings.2.weight", 1, dim);
        this.bottomRight = w.get(P + "point_embeddings.3.weight", 1, dim);
        this.noMaskEmbed = w.get(P + "no_mask_embed.weight", 1, dim);
    }

    /** Sparse tokens of one box {@code [x0, y0, x1, y1]}: {@code [2, E]} written at {@code out[off]}. */
    void sparse(float x0, float y0, float x1, float y1, float[] out, int off) {
        encode((x0 + 0.5f) / imageSize, (y0 + 0.5f) / imageSize, out, off);
        encode((x1 + 0.5f) / imageSize, (y1 + 0.5f) / imageSize, out, off + dim);
        for (int i = 0; i < dim; i++) {
            out[off + i] += topLeft[i];
            out[off + dim + i] += bottomRight[i];
        }
    }

    /**
     * Positional encoding of the grid cell centres as tokens {@code [g*g, E]} (row-major grid, x fastest);
     * computed once, shared (do not modify).
     */
    float[] densePeTokens() {
        float[] pe = densePe;
        if (pe == null) {
            float[] v = new float[grid * grid * dim];
            ChunkedParallel.parallel(grid, grid * dim * 20, (from, to) -> {
                for (int y = from; y < to; y++) {
                    for (int x = 0; x < grid; x++) {
                        // upstream: cumsum(ones) - 0.5, divided by g, in float32
                        encode(((float) (x + 1) - 0.5f) / grid, ((float) (y + 1) - 0.5f) / grid, v, (y * grid + x) * dim);
                    }
                }
            });
            densePe = pe = v;
        }
        return pe;
    }

    /** Fourier features of one point in [0,1]^2 into {@code out[off, off + E)}. */
    private void encode(float cx, float cy, float[] out, int off) {
        float u = cx * 2f - 1f;
        float v = cy * 2f - 1f;
        int half = dim / 2;
        for (int j = 0; j < half; j++) {
            float a = (u * gaussian[j] + v * gaussian[half + j]) * TWO_PI;
            out[off + j] = (float) Math.sin(a);
            out[off + half + j] = (float) Math.cos(a);
        }
    }
}

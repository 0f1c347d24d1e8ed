package org.umedsam.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SAM prompt encoder for box prompts (segment_anything/modeling/prompt_encoder.py).
 *
 * <p>Random Fourier positional encoding: coords in [0,1] -> {@code 2c-1} -> {@code @ G [2, E/2]} ->
 * {@code 2 pi} -> {@code [sin, cos]}. A box {@code x0,y0,x1,y1} (pixel frame of the input image)
 * becomes two corner tokens {@code pe((corner + 0.5) / S) + point_embeddings[2 or 3]}: sparse
 * {@code [B, 2, E]}. The dense embedding without a mask prompt is {@code no_mask_embed} broadcast
 * over the grid; the dense positional encoding is pe of the grid cell centres {@code ((i+0.5)/g)}.
 */
final class PromptEncoder {
    private PromptEncoder() {
    }

    private static final String P = "prompt_encoder.";

    /** {@code [B, 4] -> [B, 2, E]}. */
    static SDVariable sparse(Net n, SDVariable boxes) {
        int e = n.config.promptEmbedDim();
        double s = n.config.imageSize();
        SDVariable coords = n.sd.reshape(boxes.add(0.5), -1, 2); // [B*2, (x, y)]
        coords = coords.div(s); // input image is square: x / W and y / H are the same division
        SDVariable pe = encode(n, coords); // [B*2, E]
        SDVariable corners = n.sd.concat(0, n.p(P + "point_embeddings.2.weight"), n.p(P + "point_embeddings.3.weight"));
        return n.sd.reshape(pe, -1, 2, e).add(n.sd.reshape(corners, 1, 2, e));
    }

    /** Dense positional encoding as tokens {@code [1, g*g, E]} (row-major grid, x varying fastest). */
    static SDVariable densePeTokens(Net n) {
        int g = n.config.embeddingSize();
        float[] grid = new float[g * g * 2];
        for (int y = 0; y < g; y++) {
            for (int x = 0; x < g; x++) {
                // upstream: cumsum(ones) - 0.5, divided by g, in float32
                grid[(y * g + x) * 2] = ((float) (x + 1) - 0.5f) / g;
                grid[(y * g + x) * 2 + 1] = ((float) (y + 1) - 0.5f) / g;
            }
        }
        INDArray coords = Nd4j.create(grid, new long[]{(long) g * g, 2}, 'c');
        SDVariable pe = encode(n, n.constant("dense_pe_grid_" + g, coords));
        return n.sd.reshape(pe, 1, (long) g * g, n.config.promptEmbedDim());
    }

    /** {@code no_mask_embed} as {@code [1, E, 1, 1]}, broadcast over the embedding grid. */
    static SDVariable denseEmbedding(Net n) {
        return n.sd.reshape(n.p(P + "no_mask_embed.weight"), 1, n.config.promptEmbedDim(), 1, 1);
    }

    /** Fourier features of coords in [0,1]: {@code [M, 2] -> [M, E]}. */
    private static SDVariable encode(Net n, SDVariable coords01) {
        SDVariable c = coords01.mul(2.0).sub(1.0);
        c = n.sd.mmul(c, n.p(P + "pe_layer.positional_encoding_gaussian_matrix")).mul(2.0 * Math.PI);
        return n.sd.concat(1, n.sd.math().sin(c), n.sd.math().cos(c));
    }
}

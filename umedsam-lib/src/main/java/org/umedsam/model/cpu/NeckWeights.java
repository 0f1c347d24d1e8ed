package org.umedsam.model.cpu;

/**
 * The image encoder neck's weights (upstream {@code image_encoder.neck.0..3}): the 1x1 conv {@code [E, in]}, the
 * first LayerNorm2d, the 3x3 conv rearranged to {@code [E, ky, kx, E_in]} (the layout {@link Neck#im2col}
 * pairs with) and the second LayerNorm2d. Read once for the inference neck and the training neck alike.
 */
record NeckWeights(float[] conv0, float[] norm1W, float[] norm1B, float[] conv2, float[] norm3W,
                   float[] norm3B) {

    static NeckWeights read(StateDictWeights w, String prefix, int in, int e) {
        return new NeckWeights(w.get(prefix + ".0.weight", e, in, 1, 1), w.get(prefix + ".1.weight", e),
                w.get(prefix + ".1.bias", e), tapMajor(w.get(prefix + ".2.weight", e, e, 3, 3), e),
                w.get(prefix + ".3.weight", e), w.get(prefix + ".3.bias", e));
    }

    /** PyTorch's 3x3 weight {@code [E, E_in, 3, 3]} as {@code [E, ky, kx, E_in]}. */
    private static float[] tapMajor(float[] k, int e) {
        float[] out = new float[k.length];
        for (int o = 0; o < e; o++) {
            for (int i = 0; i < e; i++) {
                for (int t = 0; t < 9; t++) {
                    out[(o * 9 + t) * e + i] = k[(o * e + i) * 9 + t];
                }
            }
        }
        return out;
    }
}

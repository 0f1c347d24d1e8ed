package org.umedsam.model.cpu;

/**
 * LiteMedSAM's patch embedding in evaluation mode: 1x1 Conv2d_BN 3 -> dim/2, GELU, 1x1 Conv2d_BN dim/2 -> dim,
 * no down-sampling. Channel-first image {@code [3, S*S]} in, channel-last tokens {@code [S*S, dim]} out, the layout
 * the MBConv stage reads.
 *
 * <p>Why channel-last here: computed channel-first, the output {@code [64, 65536]} then had to be transposed, and a
 * transpose of 64 rows is one task of {@link Transpose}, so one thread; patch embedding and transpose took 12 ms of
 * a 0.38 s embedding (2-core AVX-512 host, 2026-12-05). The first convolution has three inputs per output, too few
 * for a product: it is a loop over pixels, in parallel chunks ({@link ChunkedParallel}).
 */
final class PatchEmbed {

    private final FoldedConv conv0;
    /** conv0's weight by input channel: {@code w0[o] = weight[o, 0]}, and so on. */
    private final float[] w0;
    private final float[] w1;
    private final float[] w2;
    /** The second convolution, a product of each pixel's channels: {@code [dim/2] -> [dim]}. */
    private final Linear conv2;

    private final String out;

    PatchEmbed(StateDictWeights w, String prefix, int dim) {
        out = prefix + ".out";
        conv0 = FoldedConv.read(w, prefix + ".seq.0", 3, dim / 2, 1, false);
        FoldedConv c2 = FoldedConv.read(w, prefix + ".seq.2", dim / 2, dim, 1, false);
        conv2 = new Linear(c2.weight(), c2.bias(), c2.inChannels(), c2.outChannels());
        int mid = conv0.outChannels();
        w0 = new float[mid];
        w1 = new float[mid];
        w2 = new float[mid];
        for (int o = 0; o < mid; o++) {
            w0[o] = conv0.weight()[o * 3];
            w1[o] = conv0.weight()[o * 3 + 1];
            w2[o] = conv0.weight()[o * 3 + 2];
        }
    }

    /** {@code image [3, pixels]} channel-first -> {@code [pixels, dim]} channel-last (a workspace buffer). */
    float[] forward(float[] image, int pixels, Workspace ws) {
        int mid = conv0.outChannels();
        float[] h = ws.get("patch_embed.h", pixels * mid);
        float[] b = conv0.bias();
        ChunkedParallel.parallel(pixels, mid, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                float x0 = image[p];
                float x1 = image[pixels + p];
                float x2 = image[2 * pixels + p];
                int o0 = p * mid;
                for (int o = 0; o < mid; o++) {
                    h[o0 + o] = (w0[o] * x0 + w1[o] * x1 + w2[o] * x2) + b[o];
                }
            }
            Gelu.apply(h, p0 * mid, (p1 - p0) * mid);
        });
        float[] y = ws.get(out, pixels * conv2.out);
        conv2.apply(h, pixels, y, Activation.NONE);
        return y;
    }
}

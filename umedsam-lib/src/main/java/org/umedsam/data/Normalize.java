package org.umedsam.data;

/**
 * LiteMedSAM's min-max normalisation of the resized image:
 * {@code (img - img.min()) / clip(img.max() - img.min(), 1e-8, None)}, over all pixels and
 * channels together, computed in float64 (NumPy) and stored as float32.
 */
public final class Normalize {
    private Normalize() {
    }

    /**
     * @return {@code [C, H, W]} floats in [0, 1] (channel-first, ready for the encoder)
     */
    public static float[] minMaxChw(ImageU8 image) {
        int[] mm = image.minMax();
        double min = mm[0];
        double denom = Math.max(mm[1] - mm[0], 1e-8);
        int h = image.height();
        int w = image.width();
        int cn = image.channels();
        byte[] d = image.data();
        float[] out = new float[cn * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * cn;
                for (int c = 0; c < cn; c++) {
                    out[(c * h + y) * w + x] = (float) (((d[p + c] & 0xFF) - min) / denom);
                }
            }
        }
        return out;
    }
}

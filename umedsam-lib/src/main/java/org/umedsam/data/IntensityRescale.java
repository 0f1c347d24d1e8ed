package org.umedsam.data;

import java.util.Arrays;

/**
 * Raw scanner intensities to the challenge's uint8 images, as MedSAM's pre-processing
 * ({@code pre_CT_MR.py}) does: CT clipped to a window {@code [level - width/2, level + width/2]};
 * other modalities clipped to two percentiles of the voxels above 0 (numpy's linear interpolation),
 * voxels that were exactly 0 kept at 0. Either way the clipped values are then scaled from their own
 * minimum and maximum to 0..255 and truncated to an integer ({@code np.uint8} of a float).
 * Scaling by the clipped data's own range, not the window's, is MedSAM's: a scan that does not span
 * the window is stretched to it.
 */
public final class IntensityRescale {
    private IntensityRescale() {
    }

    /** CT: window then scale; {@code values} in any flat order, the result in the same order. */
    public static byte[] window(float[] values, double level, double width) {
        return scale(values, level - width / 2, level + width / 2, false);
    }

    /**
     * Other modalities: clip to the {@code low} and {@code high} percentiles of the voxels above 0,
     * scale, and keep zeros at 0.
     *
     * @throws IllegalArgumentException when no voxel is above 0
     */
    public static byte[] percentiles(float[] values, double low, double high) {
        float[] positive = new float[values.length];
        int n = 0;
        for (float v : values) {
            if (v > 0) {
                positive[n++] = v;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no voxel above 0, so no percentiles to clip to");
        }
        positive = Arrays.copyOf(positive, n);
        Arrays.sort(positive);
        return scale(values, percentile(positive, low), percentile(positive, high), true);
    }

    /** numpy's default ("linear") percentile of sorted values, {@code p} in 0..100. */
    static double percentile(float[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double f = rank - lo;
        return sorted[lo] + (sorted[hi] - (double) sorted[lo]) * f;
    }

    private static byte[] scale(float[] values, double lower, double upper, boolean keepZeros) {
        // the clipped data's own range (MedSAM scales by np.min/np.max after np.clip)
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            double c = Math.min(Math.max(v, lower), upper);
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        if (!(max > min)) {
            throw new IllegalArgumentException("every voxel is " + min + " after clipping to [" + lower + ", "
                    + upper + "], so there is no contrast to scale to 0..255");
        }
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (keepZeros && values[i] == 0) {
                continue;
            }
            double c = Math.min(Math.max(values[i], lower), upper);
            out[i] = (byte) (int) ((c - min) / (max - min) * 255.0);
        }
        return out;
    }
}

package org.umedsam.metrics;

/**
 * Sørensen–Dice coefficient {@code 2 |G ∩ P| / (|G| + |P|)}.
 *
 * <p>As in DeepMind's surface-distance {@code compute_dice_coefficient} (shipped with the CVPR 2024
 * "MedSAM on Laptop" evaluation): {@code NaN} when both masks are empty, so that a class absent from
 * both ground truth and prediction makes the challenge's class mean {@code NaN}.
 */
public final class Dice {
    private Dice() {
    }

    /** Dice of two binary masks of equal length (any shape, flattened). */
    public static double coefficient(boolean[] gt, boolean[] pred) {
        if (gt.length != pred.length) {
            throw new IllegalArgumentException("masks differ in size: " + gt.length + " vs " + pred.length);
        }
        long g = 0;
        long p = 0;
        long both = 0;
        for (int i = 0; i < gt.length; i++) {
            if (gt[i]) {
                g++;
            }
            if (pred[i]) {
                p++;
                if (gt[i]) {
                    both++;
                }
            }
        }
        return fromCounts(g, p, both);
    }

    /**
     * Dice of {@code gts == label} and {@code segs == label} for every label {@code 1..maxLabel}, in
     * one pass over the volumes.
     *
     * @param gts      ground-truth labels (uint8, flattened)
     * @param segs     predicted labels, same length
     * @param maxLabel highest label scored
     * @return {@code maxLabel} values, the Dice of label {@code l} at index {@code l - 1}
     */
    public static double[] perLabel(byte[] gts, byte[] segs, int maxLabel) {
        if (gts.length != segs.length) {
            throw new IllegalArgumentException("label maps differ in size: " + gts.length + " vs " + segs.length);
        }
        long[] g = new long[256];
        long[] p = new long[256];
        long[] both = new long[256];
        for (int i = 0; i < gts.length; i++) {
            int a = gts[i] & 0xFF;
            int b = segs[i] & 0xFF;
            g[a]++;
            p[b]++;
            if (a == b) {
                both[a]++;
            }
        }
        double[] out = new double[maxLabel];
        for (int l = 1; l <= maxLabel; l++) {
            out[l - 1] = fromCounts(g[l], p[l], both[l]);
        }
        return out;
    }

    /** {@code 2 both / (gt + pred)}, {@code NaN} when {@code gt + pred == 0}. */
    public static double fromCounts(long gtCount, long predCount, long intersection) {
        long sum = gtCount + predCount;
        if (sum == 0) {
            return Double.NaN;
        }
        return 2.0 * intersection / sum;
    }
}

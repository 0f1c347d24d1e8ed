package org.umedsam.metrics;

import org.umedsam.io.LabelArray;

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
     * @param gts      ground-truth labels (flattened)
     * @param segs     predicted labels, same length
     * @param maxLabel highest label scored
     * @return {@code maxLabel} values, the Dice of label {@code l} at index {@code l - 1}
     */
    public static double[] perLabel(LabelArray gts, LabelArray segs, int maxLabel) {
        int n = gts.length();
        if (n != segs.length()) {
            throw new IllegalArgumentException("label maps differ in size: " + n + " vs " + segs.length());
        }
        // counts per label value present in either map (labels above maxLabel are counted and ignored)
        int size = (gts.isWide() || segs.isWide() ? LabelArray.MAX_LABEL : 255) + 1;
        long[] g = new long[size];
        long[] p = new long[size];
        long[] both = new long[size];
        for (int i = 0; i < n; i++) {
            int a = gts.get(i);
            int b = segs.get(i);
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

package org.umedsam.metrics;

import java.util.Arrays;

/**
 * Mean and sample standard deviation that skip NaN values, the convention of every score table here: a case
 * or seed whose score is undefined (NaN, e.g. NSD of an empty pair) drops out of the statistic instead of
 * turning it into NaN. Sums run in array order, so results are reproducible to the bit.
 */
public final class NanStatistics {
    private NanStatistics() {
    }

    /** Mean of the non-NaN values (NaN when there are none). */
    public static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Sample standard deviation (n - 1) of the non-NaN values; NaN for fewer than two. */
    public static double sd(double[] v) {
        double[] kept = Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
        if (kept.length < 2) {
            return Double.NaN;
        }
        double m = mean(kept);
        double s = 0;
        for (double x : kept) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (kept.length - 1));
    }
}

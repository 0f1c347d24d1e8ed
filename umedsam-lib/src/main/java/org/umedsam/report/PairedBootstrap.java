package org.umedsam.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A percentile bootstrap interval for a mean paired difference (configuration minus baseline on the
 * same case and seed), resampling cases and seeds: the percentile interval of Efron and Tibshirani,
 * <i>An Introduction to the Bootstrap</i> (Chapman &amp; Hall, 1993), with both factors of the
 * seed x case layout resampled.
 *
 * <p>Input: differences {@code d[seed][case]} (NaN where either score is NaN, skipped as
 * {@link SeedSummary} skips it) and a stratum per case (the case's modality). The statistic is the
 * mean over strata of the mean over (seed, case) of the stratum: with one stratum the plain mean
 * difference; with several, the macro average that {@link SeedSummary}'s average row uses. Each
 * resample draws seeds with replacement (shared by all strata, since a seed is one trained model)
 * and, independently within each stratum, cases with replacement. With one seed only cases vary,
 * so the interval then says nothing about training-to-training spread.
 *
 * <p>A pure function: the same input and {@code rngSeed} give the same interval.
 */
public final class PairedBootstrap {
    /** Resamples used by default: percentile intervals need on the order of a thousand or more (Efron and Tibshirani). */
    public static final int DEFAULT_RESAMPLES = 2000;
    /** The default random seed. */
    public static final long DEFAULT_SEED = 20240813L;

    /**
     * A difference and its interval, in the units of the input (fractions for DSC and NSD).
     *
     * @param mean   the statistic on the observed data
     * @param lower  2.5 % percentile of the resampled statistic (for a 95 % interval)
     * @param upper  97.5 % percentile
     * @param cases  distinct cases
     * @param seeds  seeds
     */
    public record Interval(double mean, double lower, double upper, int cases, int seeds) {
        /** Whether the interval lies entirely above zero. */
        public boolean above() {
            return lower > 0;
        }

        /** Whether the interval lies entirely below zero. */
        public boolean below() {
            return upper < 0;
        }

        /** Whether the interval contains zero (or is undefined). */
        public boolean includesZero() {
            return !above() && !below();
        }
    }

    private PairedBootstrap() {
    }

    /** {@link #interval(double[][], int[], double, int, long)} at 95 % with the defaults. */
    public static Interval interval(double[][] diff, int[] stratum) {
        return interval(diff, stratum, 0.95, DEFAULT_RESAMPLES, DEFAULT_SEED);
    }

    /**
     * @param diff       {@code [seeds][cases]} paired differences; every row the same length
     * @param stratum    {@code [cases]} stratum index of each case (0-based)
     * @param level      confidence level in (0, 1), e.g. 0.95
     * @param resamples  number of bootstrap resamples (at least 100)
     * @param rngSeed    random seed
     * @return the interval; NaN bounds when every difference is NaN
     */
    public static Interval interval(double[][] diff, int[] stratum, double level, int resamples, long rngSeed) {
        if (diff.length == 0) {
            throw new IllegalArgumentException("paired bootstrap: no seeds");
        }
        int cases = stratum.length;
        for (double[] row : diff) {
            if (row.length != cases) {
                throw new IllegalArgumentException("paired bootstrap: a seed has " + row.length
                        + " differences, expected one per case (" + cases + ")");
            }
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("paired bootstrap: level must be in (0, 1), got " + level);
        }
        if (resamples < 100) {
            throw new IllegalArgumentException("paired bootstrap: at least 100 resamples, got " + resamples);
        }
        int strata = 0;
        for (int s : stratum) {
            if (s < 0) {
                throw new IllegalArgumentException("paired bootstrap: negative stratum " + s);
            }
            strata = Math.max(strata, s + 1);
        }
        int[][] members = new int[strata][];
        int[] count = new int[strata];
        for (int s : stratum) {
            count[s]++;
        }
        for (int k = 0; k < strata; k++) {
            members[k] = new int[count[k]];
        }
        int[] fill = new int[strata];
        for (int c = 0; c < cases; c++) {
            members[stratum[c]][fill[stratum[c]]++] = c;
        }
        int seeds = diff.length;
        int[] seedPick = new int[seeds];
        for (int i = 0; i < seeds; i++) {
            seedPick[i] = i;
        }
        int[][] casePick = new int[strata][];
        for (int k = 0; k < strata; k++) {
            casePick[k] = members[k].clone();
        }
        double observed = statistic(diff, seedPick, casePick);
        SplittableRandom rng = new SplittableRandom(rngSeed);
        double[] stats = new double[resamples];
        int n = 0;
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < seeds; i++) {
                seedPick[i] = rng.nextInt(seeds);
            }
            for (int k = 0; k < strata; k++) {
                for (int i = 0; i < members[k].length; i++) {
                    casePick[k][i] = members[k][rng.nextInt(members[k].length)];
                }
            }
            double v = statistic(diff, seedPick, casePick);
            if (!Double.isNaN(v)) {
                stats[n++] = v;
            }
        }
        if (n == 0) {
            return new Interval(observed, Double.NaN, Double.NaN, cases, seeds);
        }
        double[] sorted = Arrays.copyOf(stats, n);
        Arrays.sort(sorted);
        double alpha = (1 - level) / 2;
        return new Interval(observed, percentile(sorted, alpha), percentile(sorted, 1 - alpha), cases, seeds);
    }

    /** Mean over strata (with any defined value) of the mean of the picked (seed, case) differences. */
    static double statistic(double[][] diff, int[] seedPick, int[][] casePick) {
        double sum = 0;
        int strata = 0;
        for (int[] picks : casePick) {
            double s = 0;
            int n = 0;
            for (int seed : seedPick) {
                for (int c : picks) {
                    double d = diff[seed][c];
                    if (!Double.isNaN(d)) {
                        s += d;
                        n++;
                    }
                }
            }
            if (n > 0) {
                sum += s / n;
                strata++;
            }
        }
        return strata == 0 ? Double.NaN : sum / strata;
    }

    /** Linear interpolation between order statistics (type 7, as numpy's default). */
    static double percentile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

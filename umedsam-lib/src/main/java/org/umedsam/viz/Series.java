package org.umedsam.viz;

import java.util.ArrayList;
import java.util.List;

/** Numeric helpers for chart series: smoothing, averaging over seeds, dropping missing points. */
final class Series {
    private Series() {
    }

    /** Centred moving average with the given half-width, ignoring NaN; window shrinks at the ends. */
    static double[] movingAverage(double[] y, int half) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            double s = 0;
            int n = 0;
            for (int j = Math.max(0, i - half); j <= Math.min(y.length - 1, i + half); j++) {
                if (!Double.isNaN(y[j])) {
                    s += y[j];
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : s / n;
        }
        return out;
    }

    /** Half-width for smoothing a curve of n points: about n/40 (window n/20), so ~20 independent bumps remain. */
    static int smoothingHalfWidth(int n) {
        return Math.max(0, n / 40);
    }

    /** Pointwise sample standard deviation (n - 1) of several curves, truncated to the shortest; NaN below two values. */
    static double[] sd(List<double[]> curves) {
        double[] m = mean(curves);
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            int k = 0;
            for (double[] c : curves) {
                if (!Double.isNaN(c[i])) {
                    s += (c[i] - m[i]) * (c[i] - m[i]);
                    k++;
                }
            }
            out[i] = k < 2 ? Double.NaN : Math.sqrt(s / (k - 1));
        }
        return out;
    }

    /** Pointwise mean of several equally-indexed curves, truncated to the shortest. */
    static double[] mean(List<double[]> curves) {
        int n = curves.stream().mapToInt(c -> c.length).min().orElse(0);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int k = 0;
            for (double[] c : curves) {
                if (!Double.isNaN(c[i])) {
                    s += c[i];
                    k++;
                }
            }
            out[i] = k == 0 ? Double.NaN : s / k;
        }
        return out;
    }

    /** The (x, y) pairs where both are finite and (if {@code positiveOnly}) y &gt; 0. */
    static double[][] finite(double[] x, double[] y, boolean positiveOnly) {
        List<double[]> keep = new ArrayList<>();
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i]) && (!positiveOnly || y[i] > 0)) {
                keep.add(new double[] {x[i], y[i]});
            }
        }
        double[][] out = new double[2][keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            out[0][i] = keep.get(i)[0];
            out[1][i] = keep.get(i)[1];
        }
        return out;
    }

    /** At most {@code max} evenly spaced points of {x, y}, always keeping the last. */
    static double[][] thin(double[][] xy, int max) {
        int n = xy[0].length;
        if (n <= max) {
            return xy;
        }
        double[][] out = new double[2][max];
        for (int k = 0; k < max; k++) {
            int i = (int) Math.round((double) k * (n - 1) / (max - 1));
            out[0][k] = xy[0][i];
            out[1][k] = xy[1][i];
        }
        return out;
    }

    /** Whether every finite value is &gt; 0 and there is at least one. */
    static boolean allPositive(double[] y) {
        boolean any = false;
        for (double v : y) {
            if (Double.isFinite(v)) {
                if (v <= 0) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}

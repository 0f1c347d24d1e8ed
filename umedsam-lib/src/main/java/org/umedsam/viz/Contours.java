package org.umedsam.viz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Iso-lines of a function sampled on a rectilinear grid, by marching squares with linear
 * interpolation along cell edges; saddle cells are split by the cell-centre average.
 */
final class Contours {
    private Contours() {
    }

    /**
     * Segments of the level set {@code z = level} as a polyline list in one pair of arrays, with
     * a NaN y between segments (XChart breaks a line at NaN).
     *
     * @param x grid along columns, ascending, length nx
     * @param y grid along rows, ascending, length ny
     * @param z values {@code [ny][nx]}; NaN cells are skipped
     * @return {xs, ys}
     */
    static double[][] segments(double[] x, double[] y, double[][] z, double level) {
        List<double[]> pts = new ArrayList<>();
        for (int j = 0; j + 1 < y.length; j++) {
            for (int i = 0; i + 1 < x.length; i++) {
                double z00 = z[j][i];
                double z10 = z[j][i + 1];
                double z01 = z[j + 1][i];
                double z11 = z[j + 1][i + 1];
                if (Double.isNaN(z00) || Double.isNaN(z10) || Double.isNaN(z01) || Double.isNaN(z11)) {
                    continue;
                }
                int code = (z00 > level ? 1 : 0) | (z10 > level ? 2 : 0) | (z11 > level ? 4 : 0) | (z01 > level ? 8 : 0);
                if (code == 0 || code == 15) {
                    continue;
                }
                // edge crossing points: bottom (00-10), right (10-11), top (01-11), left (00-01)
                double[] b = lerp(x[i], y[j], z00, x[i + 1], y[j], z10, level);
                double[] r = lerp(x[i + 1], y[j], z10, x[i + 1], y[j + 1], z11, level);
                double[] t = lerp(x[i], y[j + 1], z01, x[i + 1], y[j + 1], z11, level);
                double[] l = lerp(x[i], y[j], z00, x[i], y[j + 1], z01, level);
                boolean centreAbove = (z00 + z10 + z01 + z11) / 4 > level;
                switch (code) {
                    case 1, 14 -> add(pts, l, b);
                    case 2, 13 -> add(pts, b, r);
                    case 3, 12 -> add(pts, l, r);
                    case 4, 11 -> add(pts, r, t);
                    case 6, 9 -> add(pts, b, t);
                    case 7, 8 -> add(pts, l, t);
                    case 5 -> {
                        if (centreAbove) {
                            add(pts, l, t);
                            add(pts, b, r);
                        } else {
                            add(pts, l, b);
                            add(pts, r, t);
                        }
                    }
                    case 10 -> {
                        if (centreAbove) {
                            add(pts, l, b);
                            add(pts, r, t);
                        } else {
                            add(pts, l, t);
                            add(pts, b, r);
                        }
                    }
                    default -> throw new IllegalStateException("marching squares case " + code);
                }
            }
        }
        double[][] out = new double[2][pts.size()];
        for (int k = 0; k < pts.size(); k++) {
            out[0][k] = pts.get(k)[0];
            out[1][k] = pts.get(k)[1];
        }
        return out;
    }

    /**
     * Absolute contour levels shared by several grids: {@code n} evenly spaced quantiles of all their
     * finite values pooled, rounded to the fewest significant digits (at least two) that keep them
     * apart (so colour-bar labels are short), distinct and ascending. Every panel drawn with these levels shows the same loss at the same line
     * and colour, so panels can be compared; quantiles of the pooled values put lines where the values
     * are, also when the loss grows by orders of magnitude towards the edges.
     *
     * @return the levels; empty when there are fewer than two distinct finite values
     */
    static double[] sharedLevels(List<double[][]> grids, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one level, got " + n);
        }
        double[] v = grids.stream().flatMap(Arrays::stream).flatMapToDouble(Arrays::stream)
                .filter(Double::isFinite).sorted().toArray();
        if (v.length < 2 || v[0] == v[v.length - 1]) {
            return new double[0];
        }
        double[] raw = new double[n];
        for (int k = 0; k < n; k++) {
            double q = (k + 1.0) / (n + 1.0);
            raw[k] = v[(int) Math.round(q * (v.length - 1))];
        }
        double lo = v[0];
        double hi = v[v.length - 1];
        long distinct = Arrays.stream(raw).distinct().count();
        double[] levels = raw;
        for (int digits = 2; digits <= 15; digits++) {
            int d = digits;
            levels = Arrays.stream(raw).map(x -> round(x, d)).distinct().toArray();
            if (levels.length == distinct) {
                break;
            }
        }
        return Arrays.stream(levels).filter(x -> x > lo && x < hi).sorted().toArray();
    }

    /** {@code x} rounded to {@code digits} significant digits. */
    static double round(double x, int digits) {
        if (x == 0 || !Double.isFinite(x)) {
            return x;
        }
        return new java.math.BigDecimal(x).round(new java.math.MathContext(digits)).doubleValue();
    }

    private static void add(List<double[]> pts, double[] a, double[] b) {
        pts.add(a);
        pts.add(b);
        pts.add(new double[] {b[0], Double.NaN});
    }

    private static double[] lerp(double xa, double ya, double za, double xb, double yb, double zb, double level) {
        double t = za == zb ? 0.5 : (level - za) / (zb - za);
        return new double[] {xa + t * (xb - xa), ya + t * (yb - ya)};
    }
}

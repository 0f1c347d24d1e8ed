package org.umedsam.metrics;

/**
 * Robust (percentile) Hausdorff distance: for each direction, the distance below which
 * {@code percent}% of the surface area lies, and the larger of the two directions.
 *
 * <p>DeepMind surface-distance {@code compute_robust_hausdorff}: cumulative surfel area over the
 * distance-sorted surfels, normalised by the total; the first surfel whose cumulative share reaches
 * {@code percent / 100} ({@code np.searchsorted}, left) gives that direction's value; an empty surface
 * gives {@code +Infinity}. HD95 is {@code percent = 95}.
 */
public final class RobustHausdorff {
    private RobustHausdorff() {
    }

    /** Robust Hausdorff distance in mm at {@code percent} (0..100). */
    public static double distance(SurfaceDistances sd, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must lie in 0..100, got " + percent);
        }
        return Math.max(oneWay(sd.distancesGtToPred(), sd.surfelAreasGt(), percent),
                oneWay(sd.distancesPredToGt(), sd.surfelAreasPred(), percent));
    }

    /** HD95, the challenge literature's usual robust Hausdorff distance. */
    public static double hd95(SurfaceDistances sd) {
        return distance(sd, 95.0);
    }

    private static double oneWay(double[] distances, double[] areas, double percent) {
        int n = distances.length;
        if (n == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double total = SurfaceDistances.sum(areas);
        double target = percent / 100.0;
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += areas[i];
            if (cum / total >= target) {
                return distances[i];
            }
        }
        return distances[n - 1];
    }
}

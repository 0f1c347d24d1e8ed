package org.umedsam.metrics;

/**
 * Area-weighted average surface distance, DeepMind surface-distance
 * {@code compute_average_surface_distance}: {@code sum_g d(g,P) a_g / sum_g a_g} and the same from
 * the prediction's side ({@code NaN} for an empty surface, 0/0 as upstream); {@link #symmetric} is the
 * mean of the two (ASSD).
 */
public final class AverageSurfaceDistance {
    private AverageSurfaceDistance() {
    }

    /** Mean distance (mm) from the ground-truth surface to the predicted one. */
    public static double gtToPred(SurfaceDistances sd) {
        return weightedMean(sd.distancesGtToPred(), sd.surfelAreasGt());
    }

    /** Mean distance (mm) from the predicted surface to the ground-truth one. */
    public static double predToGt(SurfaceDistances sd) {
        return weightedMean(sd.distancesPredToGt(), sd.surfelAreasPred());
    }

    /** Mean of the two directions; {@code +Infinity} when one surface is empty, NaN when both are. */
    public static double symmetric(SurfaceDistances sd) {
        int g = sd.surfelAreasGt().length;
        int p = sd.surfelAreasPred().length;
        if (g == 0 && p == 0) {
            return Double.NaN;
        }
        if (g == 0 || p == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return (gtToPred(sd) + predToGt(sd)) / 2.0;
    }

    private static double weightedMean(double[] d, double[] a) {
        double[] products = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            products[i] = d[i] * a[i];
        }
        return NumpySum.sum(products) / NumpySum.sum(a);
    }
}

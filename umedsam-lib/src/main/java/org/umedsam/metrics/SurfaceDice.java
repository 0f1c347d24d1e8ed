package org.umedsam.metrics;

/**
 * Normalised surface Dice (NSD) at a tolerance: the share of both surfaces, weighted by surfel
 * area, lying within {@code toleranceMm} of the other surface,
 * {@code (sum_{g: d(g,P) <= tau} a_g + sum_{p: d(p,G) <= tau} a_p) / (sum_g a_g + sum_p a_p)}.
 *
 * <p>Nikolov et al., "Clinically applicable segmentation of head and neck anatomy for radiotherapy"
 * (JMIR 2021); DeepMind surface-distance {@code compute_surface_dice_at_tolerance}. {@code NaN} when
 * both surfaces are empty (0/0, as upstream); 0 when exactly one is empty.
 */
public final class SurfaceDice {
    /** The challenge's tolerance: 2 mm in 3D, 2 pixels in 2D. */
    public static final double CHALLENGE_TOLERANCE_MM = 2.0;

    private SurfaceDice() {
    }

    /** NSD of precomputed surface distances at {@code toleranceMm}. */
    public static double atTolerance(SurfaceDistances sd, double toleranceMm) {
        double overlapGt = areaWithin(sd.distancesGtToPred(), sd.surfelAreasGt(), toleranceMm);
        double overlapPred = areaWithin(sd.distancesPredToGt(), sd.surfelAreasPred(), toleranceMm);
        return (overlapGt + overlapPred) / (sd.gtSurfaceArea() + sd.predSurfaceArea());
    }

    /** {@code np.sum(areas[distances <= tolerance])}. */
    private static double areaWithin(double[] distances, double[] areas, double toleranceMm) {
        double[] selected = new double[distances.length];
        int n = 0;
        for (int i = 0; i < distances.length; i++) {
            if (distances[i] <= toleranceMm) {
                selected[n++] = areas[i];
            }
        }
        return NumpySum.sum(selected, 0, n);
    }
}

package org.umedsam.metrics;

/**
 * How a case is scored.
 *
 * @param toleranceMm      NSD tolerance (challenge: 2.0; pixels for 2D cases)
 * @param minMeanDscForNsd NSD is computed only when the case's mean DSC is above this, else it is 0
 *                         (challenge: 0.2, "NSD is also low when Dice is too low")
 * @param surfaceExtras    also compute HD95 and average surface distance per class (costs the
 *                         surface distances of cases whose NSD the challenge would skip)
 */
public record ScoreConfig(double toleranceMm, double minMeanDscForNsd, boolean surfaceExtras) {
    public ScoreConfig {
        if (!(toleranceMm >= 0) || Double.isInfinite(toleranceMm)) {
            throw new IllegalArgumentException("toleranceMm must be finite and >= 0, got " + toleranceMm);
        }
        if (Double.isNaN(minMeanDscForNsd)) {
            throw new IllegalArgumentException("minMeanDscForNsd must be a number");
        }
    }

    /** The challenge's rules: tolerance 2.0, NSD only above mean DSC 0.2, no extras. */
    public static ScoreConfig defaults() {
        return new ScoreConfig(SurfaceDice.CHALLENGE_TOLERANCE_MM, 0.2, false);
    }

    /** The same rules with HD95 and average surface distance switched on or off. */
    public ScoreConfig withSurfaceExtras(boolean on) {
        return new ScoreConfig(toleranceMm, minMeanDscForNsd, on);
    }
}

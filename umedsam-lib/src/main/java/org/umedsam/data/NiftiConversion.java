package org.umedsam.data;

import java.util.Locale;

/**
 * How {@link NiftiCases} turns a NIfTI image/label pair into a 3D challenge case; the defaults are
 * MedSAM's pre-processing ({@code pre_CT_MR.py}, LiteMedSAM branch of bowang-lab/MedSAM).
 *
 * @param modality canonical modality ({@link Modalities#ALL}); CT is windowed, every other modality
 *     clipped to percentiles of its positive voxels
 * @param windowLevel CT window level in HU (MedSAM: 40, the soft-tissue/abdomen window)
 * @param windowWidth CT window width in HU (MedSAM: 400), greater than 0
 * @param lowPercentile other modalities: lower clipping percentile of the voxels above 0 (MedSAM: 0.5)
 * @param highPercentile upper clipping percentile (MedSAM: 99.5), above {@code lowPercentile}
 * @param minObject3d label objects (26-connected, per label) with fewer voxels are removed (MedSAM: 100)
 * @param minObject2d then, slice by slice, objects (8-connected, per label) with fewer pixels (MedSAM: 10)
 * @param prefix prepended to the label file's stem to name the case; the name must start with
 *     {@code 3D} (the challenge's evaluation decides 3D by that) and name {@code modality} first
 */
public record NiftiConversion(String modality, double windowLevel, double windowWidth, double lowPercentile,
                              double highPercentile, int minObject3d, int minObject2d, String prefix) {
    public NiftiConversion {
        String canonical = modality == null ? null : Modalities.canonical(modality);
        if (canonical == null) {
            throw new IllegalArgumentException("modality '" + modality + "' is not one of " + Modalities.ALL);
        }
        modality = canonical;
        if (!(windowWidth > 0) || !Double.isFinite(windowWidth) || !Double.isFinite(windowLevel)) {
            throw new IllegalArgumentException("CT window level " + windowLevel + ", width " + windowWidth
                    + ": need finite values and a width above 0");
        }
        if (!(lowPercentile >= 0) || !(highPercentile <= 100) || !(lowPercentile < highPercentile)) {
            throw new IllegalArgumentException("percentiles " + lowPercentile + ", " + highPercentile
                    + ": need 0 <= low < high <= 100");
        }
        if (minObject3d < 0 || minObject2d < 0) {
            throw new IllegalArgumentException("smallest objects kept " + minObject3d + " (3D), " + minObject2d
                    + " (2D): need 0 or more");
        }
        if (prefix == null) {
            prefix = defaultPrefix(modality);
        }
        String probe = prefix + "case";
        if (!probe.startsWith("3D") || !modality.equals(Modalities.fromName(probe))) {
            throw new IllegalArgumentException("prefix '" + prefix + "' would name cases the challenge does not "
                    + "read as 3D " + modality + " (a name must start with 3D and name the modality first, e.g. "
                    + defaultPrefix(modality) + ")");
        }
    }

    /** MedSAM's defaults for {@code modality}, with the prefix {@code 3D_<modality>_}. */
    public static NiftiConversion defaults(String modality) {
        String m = Modalities.canonical(modality == null ? "" : modality);
        return new NiftiConversion(m == null ? modality : m, 40, 400, 0.5, 99.5, 100, 10, null);
    }

    /** {@code 3D_<modality>_}: the challenge's naming, which {@code CaseName} reads as a 3D case of it. */
    public static String defaultPrefix(String modality) {
        return "3D_" + modality + "_";
    }

    /** Whether intensities are windowed (CT) rather than clipped to percentiles. */
    public boolean windowed() {
        return modality.equals("CT");
    }

    public NiftiConversion withWindow(double level, double width) {
        return new NiftiConversion(modality, level, width, lowPercentile, highPercentile, minObject3d, minObject2d,
                prefix);
    }

    public NiftiConversion withPrefix(String p) {
        return new NiftiConversion(modality, windowLevel, windowWidth, lowPercentile, highPercentile, minObject3d,
                minObject2d, p);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s, %s, objects >= %d voxels (3D), >= %d pixels (slice), prefix %s",
                modality, windowed() ? "window " + windowLevel + "/" + windowWidth
                        : "percentiles " + lowPercentile + ".." + highPercentile, minObject3d, minObject2d, prefix);
    }
}

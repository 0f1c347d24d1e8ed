package org.umedsam.metrics;

import java.util.Locale;

/**
 * What a challenge file name says about its case: {@code 2DBox_US_0525.npz} is a 2D ultrasound
 * case, {@code 3DBox_CT_0566.npz} a 3D CT case. The challenge's evaluation script decides 3D by the
 * prefix {@code 3D}, so this does too. A name containing {@code synth} (any case) marks one of our
 * synthetic cases, so that tables never mix them silently with real data.
 *
 * @param name      file name, with or without {@code .npz}
 * @param threeD    whether the name starts with {@code 3D}
 * @param modality  the token after the first underscore ({@code "unknown"} when there is none)
 * @param synthetic whether the name marks a synthetic case
 */
public record CaseName(String name, boolean threeD, String modality, boolean synthetic) {

    /** Parses a case file name (a path's last element). */
    public static CaseName parse(String fileName) {
        String base = fileName;
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        if (slash >= 0) {
            base = base.substring(slash + 1);
        }
        String stem = base.endsWith(".npz") ? base.substring(0, base.length() - 4) : base;
        String[] parts = stem.split("_");
        String modality = parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : "unknown";
        boolean synthetic = stem.toLowerCase(Locale.ROOT).contains("synth");
        return new CaseName(base, base.startsWith("3D"), modality, synthetic);
    }

    /** {@code "3D"} or {@code "2D"}. */
    public String dimension() {
        return threeD ? "3D" : "2D";
    }
}

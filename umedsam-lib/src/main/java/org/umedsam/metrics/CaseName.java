package org.umedsam.metrics;

import org.umedsam.data.Modalities;

/**
 * What a challenge file name says about its case: {@code 2DBox_US_0525.npz} is a 2D ultrasound
 * case, {@code 3DBox_CT_0566.npz} a 3D CT case. The challenge's evaluation script decides 3D by the
 * prefix {@code 3D}, so this does too. Modality and the synthetic mark follow the data package's
 * naming rules ({@link Modalities#fromName}, {@link Modalities#isSyntheticName}: a token
 * {@code synthetic}), so that tables never mix synthetic cases silently with real data.
 *
 * @param name      file name, with or without {@code .npz}
 * @param threeD    whether the name starts with {@code 3D}
 * @param modality  canonical modality named by the file ({@link Modalities#UNKNOWN} when none)
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
        String modality = Modalities.fromName(base);
        return new CaseName(base, base.startsWith("3D"), modality == null ? Modalities.UNKNOWN : modality,
                Modalities.isSyntheticName(base));
    }

    /** {@code "3D"} or {@code "2D"}. */
    public String dimension() {
        return threeD ? "3D" : "2D";
    }
}

package org.umedsam.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The challenge's imaging modalities and how a file name (or its folder) names one. Names are
 * split at {@code _}, {@code -}, {@code .} and spaces, and the first token that names a modality
 * (case-insensitive, with a few aliases) wins: {@code 2DBox_US_0525.npz} is US,
 * {@code 3DBox_CT_0566.npz} is CT, {@code CT_Abd_FLARE22_Tr_0001.npz} is CT,
 * {@code 2D_synthetic_Fundus_0003.npz} is Fundus. Failing that, the parent folder's name is tried
 * (the training data is grouped in folders named after modalities), then {@link #UNKNOWN}.
 */
public final class Modalities {
    /** Canonical modality names, as the challenge spells its training folders. */
    public static final List<String> ALL = List.of("CT", "MR", "PET", "US", "XRay", "Dermoscopy", "Endoscopy",
            "Fundus", "Microscopy", "Mammography", "OCT");
    public static final String UNKNOWN = "unknown";

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("ct", "CT"), Map.entry("mr", "MR"), Map.entry("mri", "MR"), Map.entry("pet", "PET"),
            Map.entry("us", "US"), Map.entry("ultrasound", "US"), Map.entry("xray", "XRay"),
            Map.entry("x-ray", "XRay"), Map.entry("cxr", "XRay"), Map.entry("dermoscopy", "Dermoscopy"),
            Map.entry("derm", "Dermoscopy"), Map.entry("endoscopy", "Endoscopy"), Map.entry("endoscope", "Endoscopy"),
            Map.entry("fundus", "Fundus"), Map.entry("microscopy", "Microscopy"), Map.entry("microscope", "Microscopy"),
            Map.entry("mammography", "Mammography"), Map.entry("mammo", "Mammography"), Map.entry("oct", "OCT"));

    private Modalities() {
    }

    /** The canonical modality a token names, or {@code null}. */
    public static String canonical(String token) {
        return ALIASES.get(token.toLowerCase(Locale.ROOT));
    }

    /** The modality named by a file's name, else by its parent folder, else {@link #UNKNOWN}. */
    public static String of(Path file) {
        String m = fromName(file.getFileName().toString());
        if (m == null && file.toAbsolutePath().getParent() != null) {
            Path parent = file.toAbsolutePath().getParent().getFileName();
            m = parent == null ? null : fromName(parent.toString());
        }
        return m == null ? UNKNOWN : m;
    }

    /** The modality named by a token of {@code name}, or {@code null}. */
    public static String fromName(String name) {
        String stem = name.endsWith(".npz") ? name.substring(0, name.length() - 4) : name;
        if (ALIASES.containsKey(stem.toLowerCase(Locale.ROOT))) {
            return canonical(stem);
        }
        for (String t : stem.split("[_\\-. ]+")) {
            String c = canonical(t);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** Whether a file name marks its case as synthetic (a token {@code synthetic}). */
    public static boolean isSyntheticName(String name) {
        for (String t : name.split("[_\\-. ]+")) {
            if (t.equalsIgnoreCase("synthetic")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Dimensionality from a name: {@code 2} for a token starting with {@code 2D}, {@code 3} for
     * {@code 3D}, {@code 0} when the name does not say.
     */
    public static int dimensionsFromName(String name) {
        for (String t : name.split("[_\\-. ]+")) {
            String u = t.toUpperCase(Locale.ROOT);
            if (u.startsWith("2D")) {
                return 2;
            }
            if (u.startsWith("3D")) {
                return 3;
            }
        }
        return 0;
    }
}

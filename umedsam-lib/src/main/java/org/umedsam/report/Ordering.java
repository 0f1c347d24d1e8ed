package org.umedsam.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The order rows and series appear in: configurations from the plain baseline to the full method
 * (as in the paper's ablation), modalities in the challenge's order; unknown names after the known
 * ones, alphabetically.
 */
public final class Ordering {
    /** Ablation configurations, simplest first. */
    public static final List<String> CONFIGURATIONS = List.of("baseline", "only-sd", "no-sam", "full");
    /** Modalities in the CVPR 2024 MedSAM-on-Laptop order. */
    public static final List<String> MODALITIES = List.of("ct", "mr", "pet", "us", "xray", "dermoscopy",
            "endoscopy", "fundus", "microscopy");

    private Ordering() {
    }

    /**
     * The name the base model's scores carry where they stand beside the configurations' (Table 3, the
     * per-modality bars): the weights every run fine-tunes from, before fine-tuning.
     */
    public static final String BASE_MODEL = "base model";

    /** Distinct configurations sorted by {@link #CONFIGURATIONS}, the {@link #BASE_MODEL} first (the reference). */
    public static List<String> configurations(Collection<String> names) {
        List<String> out = sorted(names, CONFIGURATIONS);
        if (out.remove(BASE_MODEL)) {
            out.add(0, BASE_MODEL);
        }
        return out;
    }

    /** Distinct modalities sorted by {@link #MODALITIES}. */
    public static List<String> modalities(Collection<String> names) {
        return sorted(names, MODALITIES);
    }

    private static List<String> sorted(Collection<String> names, List<String> canon) {
        List<String> out = new ArrayList<>(new LinkedHashSet<>(names));
        out.sort(Comparator.<String>comparingInt(n -> {
            int i = canon.indexOf(key(n));
            return i < 0 ? canon.size() : i;
        }).thenComparing(n -> n.toLowerCase(Locale.ROOT)));
        return out;
    }

    private static String key(String n) {
        return n.toLowerCase(Locale.ROOT).replace("_", "-").replace("x-ray", "xray").replace("mri", "mr");
    }
}

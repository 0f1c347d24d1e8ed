package org.umedsam.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Groups fine atlas labels into 15 larger structures that make sensible box prompts, for both
 * atlases shipped by Debian's mricron-data: AAL (116 labels on Colin27, names like
 * {@code Frontal_Sup_L}) and INIA19 NeuroMaps (macaque, names like {@code l_superior_frontal_gyrus}).
 * A structure is a lobe-level unit split by hemisphere, because a box around a bilateral
 * structure covers most of the brain and teaches nothing.
 *
 * <p>Rules, tried in this order on the lower-cased name (first match wins):
 * <ol>
 *   <li>white matter (except cerebellar), ventricles, tracts, fasciculi, nerves, commissures,
 *       peduncles, capsules, the corpus callosum, lemnisci, fibres, cisterns: <b>not labelled</b>;</li>
 *   <li>{@code vermis}: <b>vermis</b> (15, midline);</li>
 *   <li>{@code cerebel} (AAL's {@code Cerebelum_*}, NeuroMaps' cerebellar names), and the named
 *       cerebellar lobules (semilunar, quadrangular, simple, gracile, biventer, flocculus,
 *       paraflocculus, tonsil), dentate/interposed/fastigial nuclei: <b>cerebellum</b>;</li>
 *   <li>caudate, putamen, pallid(um/us), thalam(us), claustrum, accumbens: <b>deep grey</b>;</li>
 *   <li>insula, cingul(um/ate), hippocamp(us/al), amygdal(a), entorhinal, dentate gyrus,
 *       subiculum: <b>limbic</b>;</li>
 *   <li>precuneus, parietal, angular, supramarginal, postcentral: <b>parietal</b>;</li>
 *   <li>occipital, cuneus, lingual, calcarine, annectant: <b>occipital</b>;</li>
 *   <li>temporal, fusiform, heschl: <b>temporal</b>;</li>
 *   <li>frontal, precentral, orbital, rectus, straight gyrus, rolandic, motor, olfactory,
 *       paracentral: <b>frontal</b>;</li>
 *   <li>anything else (brainstem nuclei and the like): not labelled.</li>
 * </ol>
 * Hemisphere: AAL suffix {@code _L}/{@code _R}, NeuroMaps prefix {@code l_}/{@code r_}; left gets
 * the odd id, right the even id. Ids: 1/2 frontal, 3/4 parietal, 5/6 temporal, 7/8 occipital,
 * 9/10 limbic, 11/12 deep grey, 13/14 cerebellum, 15 vermis.
 */
public final class BrainStructures {
    /** Structure names by id (1-based). */
    public static final List<String> NAMES = List.of("frontal_L", "frontal_R", "parietal_L", "parietal_R",
            "temporal_L", "temporal_R", "occipital_L", "occipital_R", "limbic_L", "limbic_R", "deep_grey_L",
            "deep_grey_R", "cerebellum_L", "cerebellum_R", "vermis");

    private static final String[] EXCLUDE = {"white_matter", "ventricle", "tract", "fasciculus", "nerve",
        "commissure", "peduncle", "capsule", "corpus_callosum", "lemniscus", "fibers", "fibres", "cistern",
        "decussation", "lamina"};
    private static final String[][] LOBES = {
        {"frontal", "precentral", "orbital", "rectus", "straight_gyrus", "rolandic", "motor", "olfactory", "paracentral"},
        {"precuneus", "parietal", "angular", "supramarginal", "postcentral"},
        {"temporal", "fusiform", "heschl"},
        {"occipital", "cuneus", "lingual", "calcarine", "annectant"},
        {"insula", "cingul", "hippocamp", "amygdal", "entorhinal", "dentate_gyrus", "subiculum"},
        {"caudate", "putamen", "pallid", "thalam", "claustrum", "accumbens"},
    };
    /** Order in which lobe groups are tried (indices into LOBES). */
    private static final int[] ORDER = {5, 4, 1, 3, 2, 0};
    private static final String[] CEREBELLUM = {"cerebel", "semilunar", "quadrangular", "simple_lobule",
        "gracile_lobule", "biventer", "flocculus", "tonsil", "dentate_nucleus", "interposed", "fastigial"};

    private BrainStructures() {
    }

    /** The structure id (1..15) of an atlas label name, or 0 when it is not grouped. */
    public static int groupOf(String atlasName) {
        String n = atlasName.toLowerCase(Locale.ROOT).trim();
        boolean cerebellar = contains(n, CEREBELLUM);
        if (n.contains("vermis")) {
            return 15;
        }
        if (!cerebellar && contains(n, EXCLUDE)) {
            return 0;
        }
        if (cerebellar && n.contains("white_matter")) {
            return side(n, 13);
        }
        if (cerebellar) {
            return side(n, 13);
        }
        for (int g : ORDER) {
            if (contains(n, LOBES[g])) {
                return side(n, 1 + 2 * g);
            }
        }
        return 0;
    }

    /** Left keeps {@code leftId}; right is {@code leftId + 1}; no side marker: left id. */
    private static int side(String n, int leftId) {
        boolean right = n.endsWith("_r") || n.startsWith("r_");
        return right ? leftId + 1 : leftId;
    }

    private static boolean contains(String n, String[] keys) {
        for (String k : keys) {
            if (n.contains(k)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A lookup table atlas value &rarr; structure id from a label table with lines
     * {@code "<value><whitespace><name>[...]"} (AAL's {@code aal.nii.txt}, NeuroMaps' embedded table).
     */
    public static int[] lookup(String table, int maxValue) {
        int[] lut = new int[maxValue + 1];
        Map<Integer, String> names = parse(table);
        for (var e : names.entrySet()) {
            if (e.getKey() >= 0 && e.getKey() <= maxValue) {
                lut[e.getKey()] = groupOf(e.getValue());
            }
        }
        return lut;
    }

    /** Parses {@code value name} lines (tab or space separated); other lines are skipped. */
    public static Map<Integer, String> parse(String table) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : table.split("\\R")) {
            String[] p = line.trim().split("\\s+");
            if (p.length >= 2 && p[0].matches("\\d+")) {
                out.put(Integer.parseInt(p[0]), p[1]);
            }
        }
        return out;
    }
}

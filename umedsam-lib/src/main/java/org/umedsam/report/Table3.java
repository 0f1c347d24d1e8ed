package org.umedsam.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The per-modality ablation table in the layout of the paper's Table 3: one row per modality (and
 * the macro average last), for each configuration a DSC and an NSD column, cells
 * {@code mean ± sd} over seeds in percent (just the mean when there is one seed).
 */
public final class Table3 {
    private Table3() {
    }

    /**
     * Builds the table from per-case scores ({@link ScoreColumns}). A modality whose every case is
     * synthetic (case name containing {@code synthetic}, as the default data names them) is shown
     * as, for example, {@code CT (synthetic)}.
     */
    public static Table of(Table scores) {
        ScoreColumns.check(scores);
        return fromSummary(SeedSummary.cells(scores), syntheticModalities(scores));
    }

    /** Modalities whose every case is synthetic (case name containing {@code synthetic}). */
    static java.util.Set<String> syntheticModalities(Table scores) {
        Map<String, Boolean> allSynthetic = new LinkedHashMap<>();
        for (int r = 0; r < scores.rowCount(); r++) {
            String modality = scores.stringColumn(ScoreColumns.MODALITY).get(r);
            boolean synthetic = scores.stringColumn(ScoreColumns.CASE).get(r).toLowerCase(Locale.ROOT).contains("synthetic");
            allSynthetic.merge(modality, synthetic, Boolean::logicalAnd);
        }
        java.util.Set<String> synthetic = new java.util.HashSet<>();
        allSynthetic.forEach((m, s) -> {
            if (s) {
                synthetic.add(m);
            }
        });
        return synthetic;
    }

    /** Builds the table from summary cells ({@link SeedSummary#cells}). */
    public static Table fromSummary(List<SeedSummary.Cell> cells) {
        return fromSummary(cells, java.util.Set.of());
    }

    /** As {@link #fromSummary(List)}, marking the listed modalities {@code (synthetic)}. */
    public static Table fromSummary(List<SeedSummary.Cell> cells, java.util.Set<String> syntheticModalities) {
        Map<String, Map<String, SeedSummary.Cell>> byModality = new LinkedHashMap<>();
        LinkedHashSet<String> configs = new LinkedHashSet<>();
        LinkedHashSet<String> modalities = new LinkedHashSet<>();
        for (SeedSummary.Cell c : cells) {
            configs.add(c.configuration());
            if (!c.modality().equals(SeedSummary.AVERAGE)) {
                modalities.add(c.modality());
            }
            byModality.computeIfAbsent(c.modality(), k -> new LinkedHashMap<>()).put(c.configuration(), c);
        }
        List<String> rows = new ArrayList<>(Ordering.modalities(modalities));
        rows.add(SeedSummary.AVERAGE);
        List<String> cols = Ordering.configurations(configs);
        Table t = Table.create("Table 3: DSC and NSD (%) per modality, mean ± sd over seeds");
        StringColumn first = StringColumn.create("Modality");
        rows.forEach(r -> first.append(displayModality(r) + (syntheticModalities.contains(r) ? " (synthetic)" : "")));
        t.addColumns(first);
        for (String config : cols) {
            StringColumn dsc = StringColumn.create(config + " DSC");
            StringColumn nsd = StringColumn.create(config + " NSD");
            for (String modality : rows) {
                SeedSummary.Cell c = byModality.getOrDefault(modality, Map.of()).get(config);
                dsc.append(c == null ? "–" : percent(c.dscMean(), c.dscSd()));
                nsd.append(c == null ? "–" : percent(c.nsdMean(), c.nsdSd()));
            }
            t.addColumns(dsc, nsd);
        }
        return t;
    }

    /** {@code mean ± sd} of fractions, printed in percent with two decimals. */
    public static String percent(double mean, double sd) {
        if (Double.isNaN(mean)) {
            return "–";
        }
        String m = String.format(Locale.ROOT, "%.2f", 100 * mean);
        return Double.isNaN(sd) ? m : m + " ± " + String.format(Locale.ROOT, "%.2f", 100 * sd);
    }

    /** Upper-case short modality names as in the paper (CT, MR, PET, US, X-Ray), others capitalised. */
    public static String displayModality(String m) {
        return switch (m.toLowerCase(Locale.ROOT)) {
            case "ct", "mr", "pet", "us" -> m.toUpperCase(Locale.ROOT);
            case "mri" -> "MR";
            case "xray", "x-ray" -> "X-Ray";
            default -> m.isEmpty() ? m : Character.toUpperCase(m.charAt(0)) + m.substring(1);
        };
    }
}

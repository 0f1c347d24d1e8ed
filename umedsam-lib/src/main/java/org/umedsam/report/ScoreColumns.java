package org.umedsam.report;

import java.util.List;
import tech.tablesaw.api.Table;

/**
 * Column names of a per-case score table, one row per (configuration, seed, case): the input of
 * {@link SeedSummary}, {@link Table3} and the modality bar chart. Scores are fractions in [0, 1].
 */
public final class ScoreColumns {
    public static final String CONFIGURATION = "configuration";
    public static final String SEED = "seed";
    public static final String CASE = "case";
    public static final String MODALITY = "modality";
    /** Dice similarity coefficient in [0, 1]. */
    public static final String DSC = "dsc";
    /** Normalised surface distance (surface Dice at the challenge tolerance) in [0, 1]. */
    public static final String NSD = "nsd";

    /** Every required column. */
    public static final List<String> REQUIRED = List.of(CONFIGURATION, SEED, CASE, MODALITY, DSC, NSD);

    private ScoreColumns() {
    }

    /**
     * @throws IllegalArgumentException naming the table and the missing columns
     */
    public static void check(Table scores) {
        List<String> missing = REQUIRED.stream().filter(c -> !scores.containsColumn(c)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(scores.name() + ": score table lacks columns " + missing
                    + " (has " + scores.columnNames() + ")");
        }
    }
}

package org.umedsam.experiments;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Plain-text rendering of small Tablesaw tables for the console (4 decimals for numbers, n/a for none). */
final class Tables {
    private Tables() {
    }

    static String render(Table t) {
        int cols = t.columnCount();
        String[][] cells = new String[t.rowCount() + 1][cols];
        int[] width = new int[cols];
        for (int c = 0; c < cols; c++) {
            Column<?> col = t.column(c);
            cells[0][c] = col.name();
            for (int r = 0; r < t.rowCount(); r++) {
                Object v = col.get(r);
                // Tablesaw stores a NaN double as missing and returns null for it: a mean of no values, the SD
                // of one case
                cells[r + 1][c] = v instanceof Double d ? (Double.isNaN(d) ? "n/a" : String.format("%.4f", d))
                        : v == null && col instanceof tech.tablesaw.api.NumericColumn<?> ? "n/a" : String.valueOf(v);
            }
            for (String[] row : cells) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder(t.name()).append('\n');
        for (String[] row : cells) {
            for (int c = 0; c < cols; c++) {
                String fmt = c == 0 ? "%-" + width[c] + "s" : "  %" + width[c] + "s";
                sb.append(String.format(fmt, row[c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}

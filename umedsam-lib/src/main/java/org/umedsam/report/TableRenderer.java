package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.umedsam.train.AtomicFiles;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Renders a Tablesaw table as GitHub Markdown, LaTeX ({@code booktabs}) or CSV (RFC 4180), and
 * writes all three side by side. Numeric cells print with {@link #format(double)}; text cells
 * as they are (escaped for the target format).
 */
public final class TableRenderer {
    private TableRenderer() {
    }

    /** A GitHub Markdown pipe table; numeric columns right-aligned. */
    public static String markdown(Table t) {
        List<String> names = t.columnNames();
        StringBuilder sb = new StringBuilder();
        sb.append('|');
        for (String n : names) {
            sb.append(' ').append(mdEscape(n)).append(" |");
        }
        sb.append('\n').append('|');
        for (String n : names) {
            sb.append(isNumericLike(t.column(n)) ? " ---: |" : " --- |");
        }
        sb.append('\n');
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append('|');
            for (String n : names) {
                sb.append(' ').append(mdEscape(cell(t.column(n), r))).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * A LaTeX {@code table} environment with a {@code booktabs} tabular (needs
     * the booktabs package); first column left-aligned, the others centred.
     *
     * @param caption caption text (escaped), or null for none
     * @param label label key, or null for none
     */
    public static String latex(Table t, String caption, String label) {
        List<String> names = t.columnNames();
        StringBuilder sb = new StringBuilder();
        sb.append("\\begin{table}[t]\n\\centering\n");
        if (caption != null) {
            sb.append("\\caption{").append(texEscape(caption)).append("}\n");
        }
        if (label != null) {
            sb.append("\\label{").append(label).append("}\n");
        }
        sb.append("\\begin{tabular}{l").append("c".repeat(Math.max(0, names.size() - 1))).append("}\n\\toprule\n");
        List<String> head = new ArrayList<>();
        for (String n : names) {
            head.add(texEscape(n));
        }
        sb.append(String.join(" & ", head)).append(" \\\\\n\\midrule\n");
        for (int r = 0; r < t.rowCount(); r++) {
            List<String> row = new ArrayList<>();
            for (String n : names) {
                row.add(texEscape(cell(t.column(n), r)));
            }
            sb.append(String.join(" & ", row)).append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        return sb.toString();
    }

    /** CSV with a header line; fields quoted when they hold a comma, quote or newline. */
    public static String csv(Table t) {
        StringBuilder sb = new StringBuilder();
        List<String> names = t.columnNames();
        List<String> head = new ArrayList<>();
        for (String n : names) {
            head.add(csvField(n));
        }
        sb.append(String.join(",", head)).append('\n');
        for (int r = 0; r < t.rowCount(); r++) {
            List<String> row = new ArrayList<>();
            for (String n : names) {
                Column<?> c = t.column(n);
                row.add(csvField(c instanceof NumericColumn<?> nc ? rawNumber(nc, r) : cell(c, r)));
            }
            sb.append(String.join(",", row)).append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes {@code dir/name.md}, {@code dir/name.tex} and {@code dir/name.csv} atomically.
     *
     * @return the three files
     */
    public static List<Path> writeAll(Table t, Path dir, String name, String caption, String label) throws IOException {
        Path md = dir.resolve(name + ".md");
        Path tex = dir.resolve(name + ".tex");
        Path csv = dir.resolve(name + ".csv");
        AtomicFiles.writeString(md, markdown(t));
        AtomicFiles.writeString(tex, latex(t, caption, label));
        AtomicFiles.writeString(csv, csv(t));
        return List.of(md, tex, csv);
    }

    /** Numbers for humans: integers plainly, others to 4 significant digits without trailing zeros; NaN as a dash. */
    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(a)));
            String s = String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        return String.format(java.util.Locale.ROOT, "%.3e", v);
    }

    static String cell(Column<?> c, int r) {
        if (c.isMissing(r)) {
            return "–";
        }
        if (c instanceof NumericColumn<?> nc) {
            return format(nc.getDouble(r));
        }
        return c.getString(r);
    }

    private static String rawNumber(NumericColumn<?> c, int r) {
        if (c.isMissing(r)) {
            return "";
        }
        double v = c.getDouble(r);
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static boolean isNumericLike(Column<?> c) {
        if (c instanceof NumericColumn<?>) {
            return true;
        }
        for (int r = 0; r < c.size(); r++) {
            String s = c.getString(r);
            // a signed difference ("+0.36 [...]") is a number like "-0.36 [...]": both must align alike
            if (!s.isEmpty() && !Character.isDigit(s.charAt(0)) && "–-+".indexOf(s.charAt(0)) < 0) {
                return false;
            }
        }
        return c.size() > 0;
    }

    private static String mdEscape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String texEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '\\' -> sb.append("\\textbackslash{}");
                case '&', '%', '$', '#', '_', '{', '}' -> sb.append('\\').append(ch);
                case '~' -> sb.append("\\textasciitilde{}");
                case '^' -> sb.append("\\textasciicircum{}");
                case '±' -> sb.append("$\\pm$");
                case '×' -> sb.append("$\\times$");
                case '–' -> sb.append("--");
                case '↑' -> sb.append("$\\uparrow$");
                case '↓' -> sb.append("$\\downarrow$");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}

package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.umedsam.io.AtomicFiles;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Renders a Tablesaw table as GitHub Markdown, LaTeX ({@code booktabs}) or CSV (RFC 4180), and
 * writes all three side by side. Numeric columns print in one format per column
 * ({@link #formatColumn(double[])}), so 3.140e-04 never stands above 0.001013; text cells as they
 * are (escaped for the target format). CSV keeps the full numbers.
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
        List<String[]> cells = cells(t);
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append('|');
            for (String[] column : cells) {
                sb.append(' ').append(mdEscape(column[r])).append(" |");
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
        List<String[]> cells = cells(t);
        for (int r = 0; r < t.rowCount(); r++) {
            List<String> row = new ArrayList<>();
            for (String[] column : cells) {
                row.add(texEscape(column[r]));
            }
            sb.append(String.join(" & ", row)).append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        return sb.toString();
    }

    /**
     * CSV with a header line; fields quoted when they hold a comma, quote or newline. A missing cell,
     * text or number, is empty (Markdown and LaTeX print it as a dash), so one row never mixes both.
     */
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
                row.add(csvField(c.isMissing(r) ? "" : c instanceof NumericColumn<?> nc ? rawNumber(nc, r) : cell(c, r)));
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

    /**
     * As {@link #writeAll(Table, Path, String, String, String)}, with the caption also below the
     * Markdown table: Markdown has no caption of its own, and a caption that says what the columns
     * mean must reach the Markdown reader too.
     */
    public static List<Path> writeAllWithCaptionInMarkdown(Table t, Path dir, String name, String caption, String label)
            throws IOException {
        List<Path> files = writeAll(t, dir, name, caption, label);
        AtomicFiles.writeString(files.get(0), markdown(t) + "\n" + caption + "\n");
        return files;
    }

    /**
     * As {@link #writeAll(Table, Path, String, String, String)}, with {@code notes} (what a table's rows say and what
     * its cells are) below the Markdown and the LaTeX table.
     */
    public static List<Path> writeAllWithNotes(Table t, Path dir, String name, String caption, String label, String notes)
            throws IOException {
        List<Path> files = writeAll(t, dir, name, caption, label);
        AtomicFiles.writeString(files.get(0), markdown(t) + "\n" + notes + "\n");
        AtomicFiles.writeString(files.get(1), latex(t, caption, label) + "\n" + texEscape(notes) + "\n");
        return files;
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

    /**
     * Numbers of one column in one format: integers plainly when all are integers; else, when any
     * nonzero magnitude is below 1e-3 or at least 1e5, all in {@code %.3e}; else all with the decimals
     * that give the smallest magnitude 4 significant digits, less the trailing zeros every value
     * shares. NaN as a dash.
     */
    public static String[] formatColumn(double[] values) {
        String[] out = new String[values.length];
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        boolean integers = true;
        for (double v : values) {
            if (Double.isNaN(v)) {
                continue;
            }
            integers &= v == Math.rint(v) && Math.abs(v) < 1e15;
            if (v != 0) {
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
            }
        }
        if (integers || min == Double.POSITIVE_INFINITY) {
            for (int i = 0; i < values.length; i++) {
                out[i] = format(values[i]);
            }
            return out;
        }
        boolean scientific = min < 1e-3 || max >= 1e5;
        int decimals = scientific ? 3 : Math.max(0, 3 - (int) Math.floor(Math.log10(min)));
        String pattern = scientific ? "%.3e" : "%." + decimals + "f";
        for (int i = 0; i < values.length; i++) {
            out[i] = Double.isNaN(values[i]) ? "–" : String.format(java.util.Locale.ROOT, pattern, values[i]);
        }
        if (!scientific) {
            // drop the zeros at the end of every value (0.05000 -> 0.05), keeping the column aligned
            while (decimals > 0 && java.util.Arrays.stream(out).allMatch(c -> c.equals("–") || c.endsWith("0"))) {
                decimals--;
                for (int i = 0; i < out.length; i++) {
                    if (!out[i].equals("–")) {
                        out[i] = out[i].substring(0, out[i].length() - (decimals == 0 ? 2 : 1));
                    }
                }
            }
        }
        return out;
    }

    /** Every column's cells as printed, numeric columns in one format each ({@link #formatColumn}). */
    static List<String[]> cells(Table t) {
        List<String[]> out = new ArrayList<>();
        for (Column<?> c : t.columns()) {
            String[] cells = new String[c.size()];
            if (c instanceof NumericColumn<?> nc) {
                double[] v = new double[c.size()];
                for (int r = 0; r < v.length; r++) {
                    v[r] = c.isMissing(r) ? Double.NaN : nc.getDouble(r);
                }
                cells = formatColumn(v);
            } else {
                for (int r = 0; r < cells.length; r++) {
                    cells[r] = cell(c, r);
                }
            }
            out.add(cells);
        }
        return out;
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

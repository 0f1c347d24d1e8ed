package org.umedsam.report;

import java.util.List;
import tech.tablesaw.api.Table;

/**
 * A piece of HTML with its plain-text form, for notebooks: the Java kernel shows any object with a
 * {@code toHtml()} method as HTML (and its {@code toString()} as the text a terminal or an executed
 * notebook's text output shows), so tables appear as tables rather than Markdown printed to stdout.
 *
 * @param html the HTML fragment
 * @param text the plain-text form
 */
public record Html(String html, String text) {
    public String toHtml() {
        return html;
    }

    @Override
    public String toString() {
        return text;
    }

    /** A table as an HTML table (numbers formatted as in {@link TableRenderer}), with the Markdown table as its text. */
    public static Html table(Table t) {
        return table(t, null);
    }

    /** As {@link #table(Table)} with a caption above it (null: none). */
    public static Html table(Table t, String caption) {
        List<String> names = t.columnNames();
        StringBuilder s = new StringBuilder("<table>");
        if (caption != null) {
            s.append("<caption>").append(escape(caption)).append("</caption>");
        }
        s.append("<thead><tr>");
        for (String n : names) {
            s.append("<th>").append(escape(n)).append("</th>");
        }
        s.append("</tr></thead><tbody>");
        List<String[]> cells = TableRenderer.cells(t);
        for (int r = 0; r < t.rowCount(); r++) {
            s.append("<tr>");
            for (String n : names) {
                boolean numeric = TableRenderer.isNumericLike(t.column(n));
                s.append(numeric ? "<td style=\"text-align:right\">" : "<td>")
                        .append(escape(cells.get(names.indexOf(n))[r])).append("</td>");
            }
            s.append("</tr>");
        }
        s.append("</tbody></table>");
        String md = TableRenderer.markdown(t);
        return new Html(s.toString(), caption == null ? md : caption + "\n\n" + md);
    }

    /** Escapes {@code & < > "} for HTML text and attributes. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

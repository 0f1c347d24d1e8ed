package org.umedsam.report;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.umedsam.io.AtomicFiles;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.columns.Column;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Small Tablesaw helpers shared by the report and figure code: reading our CSV records with
 * stable column types (known text columns always as strings, numeric columns always as double,
 * so a column that holds only whole numbers in one file does not change type in another).
 */
public final class Tables {
    /** Columns that hold text in every record file we read. */
    public static final Set<String> TEXT_COLUMNS = Set.of("configuration", "config", "case", "case_id", "modality",
            "run", "name", "size", "term", "split", "file", "target");

    private Tables() {
    }

    /**
     * Reads a CSV file into a table named after the file.
     *
     * @throws IOException naming the file when it is missing, empty or malformed
     */
    public static Table readCsv(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such CSV file");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new IOException(file + ": empty CSV file (expected a header line)");
        }
        try {
            return readCsv(new StringReader(text), file.getFileName().toString());
        } catch (RuntimeException e) {
            throw new IOException(file + ": unreadable CSV: " + e.getMessage(), e);
        }
    }

    /**
     * Reads CSV text: {@link #TEXT_COLUMNS} and any column with a non-numeric value as strings,
     * every other column as doubles (empty, NaN and nan as missing).
     */
    public static Table readCsv(Reader reader, String name) {
        CsvReadOptions options = CsvReadOptions.builder(reader)
                .tableName(name)
                .columnTypes(col -> ColumnType.STRING)
                .missingValueIndicator("")
                .build();
        Table raw = Table.read().usingOptions(options);
        Table out = Table.create(name);
        for (Column<?> c : raw.columns()) {
            StringColumn sc = (StringColumn) c;
            out.addColumns(TEXT_COLUMNS.contains(sc.name()) ? sc : asDoubles(sc));
        }
        return out;
    }

    private static Column<?> asDoubles(StringColumn sc) {
        DoubleColumn d = DoubleColumn.create(sc.name());
        for (int i = 0; i < sc.size(); i++) {
            String v = sc.isMissing(i) ? "" : sc.get(i).trim();
            if (v.isEmpty() || v.equalsIgnoreCase("nan")) {
                d.appendMissing();
                continue;
            }
            try {
                d.append(Double.parseDouble(v));
            } catch (NumberFormatException e) {
                return sc;
            }
        }
        return d;
    }

    /**
     * The values of a numeric column as doubles (missing values as NaN).
     *
     * @throws IllegalArgumentException naming the table and the column when it is absent or not numeric
     */
    public static double[] doubles(Table t, String column) {
        if (!t.containsColumn(column)) {
            throw new IllegalArgumentException(t.name() + ": no column '" + column + "' (columns: " + t.columnNames() + ")");
        }
        if (!(t.column(column) instanceof NumericColumn<?> c)) {
            throw new IllegalArgumentException(t.name() + ": column '" + column + "' is not numeric");
        }
        double[] out = new double[c.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.isMissing(i) ? Double.NaN : c.getDouble(i);
        }
        return out;
    }

    /** Writes a table as CSV atomically. */
    public static void writeCsv(Table t, Path file) throws IOException {
        AtomicFiles.writeString(file, TableRenderer.csv(t));
    }
}

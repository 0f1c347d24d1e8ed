package org.umedsam.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * Per-case running time in the layout of the paper's Table 4: case, size, number of objects and
 * the running time in seconds (one time column per configuration when several are timed).
 *
 * <p>Input: a timing table with columns {@value #CASE}, {@value #SIZE} (text such as
 * {@code 512×512×86}), {@value #OBJECTS}, {@value #SECONDS}, and optionally {@value #MODALITY}
 * and {@value #CONFIGURATION}. Repeated (case, configuration) rows (several seeds or repeats)
 * are averaged.
 */
public final class Table4 {
    public static final String CASE = "case";
    public static final String MODALITY = "modality";
    public static final String SIZE = "size";
    public static final String OBJECTS = "objects";
    public static final String SECONDS = "seconds";
    public static final String CONFIGURATION = "configuration";

    private Table4() {
    }

    /** Builds the table; rows keep the order cases first appear in. */
    public static Table of(Table timings) {
        for (String c : List.of(CASE, SIZE, OBJECTS, SECONDS)) {
            if (!timings.containsColumn(c)) {
                throw new IllegalArgumentException(timings.name() + ": timing table lacks column '" + c
                        + "' (has " + timings.columnNames() + ")");
            }
        }
        boolean hasModality = timings.containsColumn(MODALITY);
        boolean hasConfig = timings.containsColumn(CONFIGURATION);
        Map<String, CaseColumns.Info> info = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> time = new LinkedHashMap<>(); // case -> config -> [sum, n]
        LinkedHashSet<String> configs = new LinkedHashSet<>();
        NumericColumn<?> seconds = (NumericColumn<?>) timings.column(SECONDS);
        NumericColumn<?> objects = (NumericColumn<?>) timings.column(OBJECTS);
        for (int r = 0; r < timings.rowCount(); r++) {
            String id = timings.stringColumn(CASE).get(r);
            String config = hasConfig ? timings.stringColumn(CONFIGURATION).get(r) : "";
            configs.add(config);
            info.putIfAbsent(id, CaseColumns.Info.of(hasModality ? timings.stringColumn(MODALITY).get(r) : "",
                    timings.stringColumn(SIZE).get(r), objects.getDouble(r)));
            double[] a = time.computeIfAbsent(id, k -> new LinkedHashMap<>()).computeIfAbsent(config, k -> new double[2]);
            a[0] += seconds.getDouble(r);
            a[1] += 1;
        }
        List<String> cols = configs.size() == 1 ? new ArrayList<>(configs) : Ordering.configurations(configs);
        Table t = Table.create("Table 4: running time per case");
        CaseColumns caseCols = new CaseColumns();
        List<DoubleColumn> timeCols = new ArrayList<>();
        for (String c : cols) {
            timeCols.add(DoubleColumn.create(c.isEmpty() ? "Time (s)" : "Time (s) " + c));
        }
        for (Map.Entry<String, CaseColumns.Info> e : info.entrySet()) {
            caseCols.append(e.getKey(), e.getValue());
            for (int i = 0; i < cols.size(); i++) {
                double[] a = time.get(e.getKey()).get(cols.get(i));
                timeCols.get(i).append(a == null ? Double.NaN : a[0] / a[1]);
            }
        }
        caseCols.addTo(t, hasModality);
        timeCols.forEach(t::addColumns);
        return t;
    }

    /** A case size as text, e.g. {@code 512×512×86}, from its dimensions. */
    public static String size(int... dims) {
        List<String> parts = new ArrayList<>();
        for (int d : dims) {
            parts.add(Integer.toString(d));
        }
        return String.join("×", parts);
    }
}

package org.umedsam.report;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The columns that describe a case in the paper's Table 4, Case, Modality (display name), Size and Objects,
 * filled one row at a time. {@link Table4} and {@link EfficiencyTable} both lay out Table 4 and differ only in
 * their time columns, so the case side is written once here.
 */
final class CaseColumns {

    /** What a timing row says about its case: modality ("" when not given), size as text, number of objects. */
    record Info(String modality, String size, int objects) {
        /** @param objects as read from a numeric column; rounded to the nearest whole number */
        static Info of(String modality, String size, double objects) {
            return new Info(modality, size, Math.toIntExact(Math.round(objects)));
        }
    }

    final StringColumn cases = StringColumn.create("Case");
    final StringColumn modalities = StringColumn.create("Modality");
    final StringColumn sizes = StringColumn.create("Size");
    final IntColumn objects = IntColumn.create("Objects");

    /** One case's row. */
    void append(String id, Info info) {
        cases.append(id);
        modalities.append(Table3.displayModality(info.modality()));
        sizes.append(info.size());
        objects.append(info.objects());
    }

    /** A summary row (e.g. "all cases"): the label in Case, the other columns empty. */
    void appendLabel(String label) {
        cases.append(label);
        modalities.append("");
        sizes.append("");
        objects.appendMissing();
    }

    /** Adds the columns to {@code t}, Modality only when {@code withModality}. */
    void addTo(Table t, boolean withModality) {
        t.addColumns(cases);
        if (withModality) {
            t.addColumns(modalities);
        }
        t.addColumns(sizes, objects);
    }
}

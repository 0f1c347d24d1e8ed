package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The sharpness estimate at several training lengths, side by side ({@link SharpnessSummary} of each study): per
 * configuration, the largest increase of the common objective within radius rho and the common objective at the
 * trained weights, each as mean ± sd over seeds. The companion of {@link StudiesSideBySide}: whether the flatter
 * minima of one length are still flatter at another, and whether the scores follow them.
 *
 * <p>Rows: the configurations with a sharpness estimate at any length (in {@link Ordering}). Columns: {@code
 * configuration}, then {@code <length> sharpness} and {@code <length> loss} per length, in the order given; "–"
 * where a length has no estimate of that configuration.
 *
 * @param table the display table (text cells)
 * @param rho   the radius every estimate used
 * @param batch the estimates' fixed batch size, or {@link SharpnessSummary#NOT_RECORDED}
 */
public record SharpnessByLengthTable(Table table, double rho, String batch) {

    /**
     * @param perSeedByLength each length's label and its study's per-seed sharpness ({@link RunsDirectory#sharpness()})
     * @throws IllegalArgumentException with fewer than two lengths, or when the lengths used different radii or
     *                                  batches (then their estimates do not compare)
     */
    public static SharpnessByLengthTable of(Map<String, Table> perSeedByLength) {
        if (perSeedByLength.size() < 2) {
            throw new IllegalArgumentException("a sharpness comparison needs at least two lengths, got "
                    + perSeedByLength.keySet());
        }
        Map<String, Table> summaries = new LinkedHashMap<>();
        Set<Double> radii = new LinkedHashSet<>();
        Set<String> batches = new LinkedHashSet<>();
        Set<String> configurations = new LinkedHashSet<>();
        for (Map.Entry<String, Table> e : perSeedByLength.entrySet()) {
            Table summary = SharpnessSummary.of(e.getValue());
            summaries.put(e.getKey(), summary);
            summary.doubleColumn("rho").forEach(radii::add);
            batches.add(SharpnessSummary.batchSizes(e.getValue()));
            configurations.addAll(summary.stringColumn("configuration").asList());
        }
        if (radii.size() != 1 || batches.size() != 1) {
            throw new IllegalArgumentException("sharpness estimates at radii " + radii + " on batches " + batches
                    + " do not compare across lengths " + perSeedByLength.keySet());
        }
        List<String> rows = Ordering.configurations(new ArrayList<>(configurations));
        Table t = Table.create("Sharpness at each training length");
        StringColumn label = StringColumn.create("configuration");
        rows.forEach(label::append);
        t.addColumns(label);
        for (Map.Entry<String, Table> e : summaries.entrySet()) {
            StringColumn sharpness = StringColumn.create(e.getKey() + " sharpness");
            StringColumn loss = StringColumn.create(e.getKey() + " loss");
            List<String> present = e.getValue().stringColumn("configuration").asList();
            for (String c : rows) {
                int r = present.indexOf(c);
                sharpness.append(r < 0 ? "–" : meanSd(e.getValue(), "sharpness", r));
                loss.append(r < 0 ? "–" : meanSd(e.getValue(), "loss", r));
            }
            t.addColumns(sharpness, loss);
        }
        return new SharpnessByLengthTable(t, radii.iterator().next(), batches.iterator().next());
    }

    private static String meanSd(Table summary, String quantity, int row) {
        return String.format(Locale.ROOT, "%.4f ± %.4f", summary.doubleColumn(quantity + "_mean").get(row),
                summary.doubleColumn(quantity + "_sd").get(row));
    }

    /**
     * Writes {@code dir/name.md}, {@code .tex} and {@code .csv}, the Markdown and LaTeX with the notes below.
     *
     * @return the files written
     */
    public List<Path> write(Path dir, String name) throws IOException {
        return TableRenderer.writeAllWithNotes(table, dir, name, caption(), "tab:sharpness-training-length", notes());
    }

    /** The caption used in the LaTeX file. */
    public static String caption() {
        return "Sharpness of the common objective at each training length, mean ± sd over seeds";
    }

    /** What the cells are, as plain text. */
    public String notes() {
        return String.format(Locale.ROOT, "sharpness: the largest increase of the common objective (Dice + BCE + IoU,"
                + " unit weights, the same for every configuration) within an L2 ball of radius %s around the trained"
                + " weights (found by gradient ascent and random directions); loss: the common objective at the"
                + " trained weights. Both on the same fixed batch of %s training samples at every length, mean ± sd"
                + " over seeds.", TableRenderer.format(rho), batch);
    }
}

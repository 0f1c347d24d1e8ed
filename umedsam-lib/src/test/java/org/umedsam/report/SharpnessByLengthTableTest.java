package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class SharpnessByLengthTableTest {
    /** A per-seed sharpness table as {@link RunsDirectory#sharpness()} returns it: rows {configuration, seed, sharpness, loss}. */
    private static Table perSeed(double rho, double batch, Object[]... rows) {
        Table t = Table.create("sharpness", StringColumn.create("configuration"), DoubleColumn.create("seed"),
                DoubleColumn.create("rho"), DoubleColumn.create("loss"), DoubleColumn.create("run_loss"),
                DoubleColumn.create("sharpness"), DoubleColumn.create("batch"));
        for (Object[] r : rows) {
            t.stringColumn("configuration").append((String) r[0]);
            t.doubleColumn("seed").append((Integer) r[1]);
            t.doubleColumn("rho").append(rho);
            t.doubleColumn("sharpness").append((Double) r[2]);
            t.doubleColumn("loss").append((Double) r[3]);
            t.doubleColumn("run_loss").append((Double) r[3]);
            t.doubleColumn("batch").append(batch);
        }
        return t;
    }

    @Test
    void eachLengthShowsMeanAndSdOverSeedsOfSharpnessAndLoss(@TempDir Path dir) throws IOException {
        Map<String, Table> byLength = new LinkedHashMap<>();
        byLength.put("180 steps (full)", perSeed(0.05, 24, new Object[] {"full", 0, 0.04, 0.35},
                new Object[] {"full", 1, 0.06, 0.37}, new Object[] {"baseline", 0, 0.12, 0.36}));
        byLength.put("720 steps (long)", perSeed(0.05, 24, new Object[] {"full", 0, 0.02, 0.30},
                new Object[] {"full", 1, 0.04, 0.30}));
        SharpnessByLengthTable s = SharpnessByLengthTable.of(byLength);
        Table t = s.table();
        assertThat(t.columnNames()).containsExactly("configuration", "180 steps (full) sharpness",
                "180 steps (full) loss", "720 steps (long) sharpness", "720 steps (long) loss");
        // baseline first, as every table orders configurations
        assertThat(t.stringColumn("configuration").asList()).containsExactly("baseline", "full");
        // full at 180: mean 0.05, sample sd 0.0141
        assertThat(t.getString(1, "180 steps (full) sharpness")).isEqualTo("0.0500 ± 0.0141");
        assertThat(t.getString(1, "720 steps (long) loss")).isEqualTo("0.3000 ± 0.0000");
        assertThat(t.getString(0, "720 steps (long) sharpness")).isEqualTo("–");
        assertThat(s.notes()).contains("radius 0.05").contains("fixed batch of 24 training samples");
        assertThat(s.write(dir, "05-sharpness-training-length")).allSatisfy(f -> assertThat(f).exists());
        assertThat(Files.readString(dir.resolve("05-sharpness-training-length.md"))).contains("| full | 0.0500 ± 0.0141 |");
    }

    @Test
    void estimatesAtOtherRadiiOrBatchesDoNotCompare() {
        Map<String, Table> radii = new LinkedHashMap<>();
        radii.put("a", perSeed(0.05, 24, new Object[] {"full", 0, 0.04, 0.35}));
        radii.put("b", perSeed(0.1, 24, new Object[] {"full", 0, 0.04, 0.35}));
        assertThatThrownBy(() -> SharpnessByLengthTable.of(radii)).hasMessageContaining("do not compare");
        Map<String, Table> batches = new LinkedHashMap<>();
        batches.put("a", perSeed(0.05, 24, new Object[] {"full", 0, 0.04, 0.35}));
        batches.put("b", perSeed(0.05, 3, new Object[] {"full", 0, 0.04, 0.35}));
        assertThatThrownBy(() -> SharpnessByLengthTable.of(batches)).hasMessageContaining("do not compare");
        assertThatThrownBy(() -> SharpnessByLengthTable.of(Map.of("a", batches.get("a"))))
                .hasMessageContaining("at least two lengths");
    }
}

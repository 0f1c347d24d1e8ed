package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class TrainingLengthTableTest {
    private static final Map<String, Integer> CASES = Map.of("mr", 12, "ct", 8);

    /** Every run of {@code dir} as if it had trained {@code steps} steps. */
    private static void trainedFor(Path dir, int steps) throws IOException {
        StringBuilder csv = new StringBuilder("step,loss_total\n");
        for (int s = 1; s <= steps; s++) {
            csv.append(s).append(",0.5\n");
        }
        try (var runs = Files.list(dir)) {
            for (Path run : runs.toList()) {
                Files.writeString(run.resolve("steps.csv"), csv.toString());
            }
        }
    }

    @Test
    void eachLengthIsItsStudysAverageRowAndAnOrderingThatFlipsShows(@TempDir Path tmp) throws IOException {
        Path shortRuns = tmp.resolve("full");
        Path longRuns = tmp.resolve("long");
        // the planted ordering reversed at the short length and as the paper's at the long one
        SyntheticRuns.write(shortRuns, CASES, Table3StatisticsTest.ordered(-0.04), 3, 0.02, 7);
        SyntheticRuns.write(longRuns, CASES, Table3StatisticsTest.ordered(0.04), 3, 0.02, 8);
        trainedFor(shortRuns, 18);
        trainedFor(longRuns, 72);
        RunsDirectory shorter = RunsDirectory.read(shortRuns);
        RunsDirectory longer = RunsDirectory.read(longRuns);

        TrainingLengthTable t = TrainingLengthTable.of(shorter, List.of(longer));

        assertThat(t.table().columnNames()).containsExactly("Row", "18 steps (full) DSC", "18 steps (full) NSD",
                "72 steps (long) DSC", "72 steps (long) NSD");
        assertThat(t.table().stringColumn("Row").asList()).containsExactly("baseline", "only-sd", "no-sam", "full",
                "only-sd - baseline", "no-sam - baseline", "full - baseline", "full - no-sam");
        // cells are exactly the Average row of each study's Table 3 with statistics
        Table shortStats = Table3Statistics.of(shorter.scores()).table();
        int average = shortStats.stringColumn("Modality").indexOf(SeedSummary.AVERAGE);
        for (String row : List.of("full", "full - baseline")) {
            int r = t.table().stringColumn("Row").indexOf(row);
            assertThat(t.table().getString(r, "18 steps (full) DSC")).isEqualTo(shortStats.getString(average, row + " DSC"));
        }
        int fullMinusBaseline = t.table().stringColumn("Row").indexOf("full - baseline");
        assertThat(t.table().getString(fullMinusBaseline, "18 steps (full) DSC")).startsWith("-");
        assertThat(t.table().getString(fullMinusBaseline, "72 steps (long) DSC")).startsWith("+");
        assertThat(t.notes()).contains("18 steps (full): ").contains("DSC contradicted")
                .contains("72 steps (long): ").contains("DSC reproduced");

        List<Path> files = t.write(tmp, "03-training-length");
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("03-training-length.md", "03-training-length.tex", "03-training-length.csv");
        assertThat(Files.readString(files.get(0))).contains("| full - no-sam |").contains("DSC reproduced");
    }

    @Test
    void anotherStudyIsNotALongerOneAndOneLengthIsNoComparison(@TempDir Path tmp) throws IOException {
        SyntheticRuns.write(tmp.resolve("full"), CASES, Table3StatisticsTest.ordered(0.04), 3, 0.02, 7);
        SyntheticRuns.write(tmp.resolve("other"), CASES, Table3StatisticsTest.ordered(0.04), 2, 0.02, 7);
        RunsDirectory full = RunsDirectory.read(tmp.resolve("full"));
        assertThatThrownBy(() -> TrainingLengthTable.of(full, List.of(RunsDirectory.read(tmp.resolve("other")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the same study trained longer")
                .hasMessageContaining("full-s2");
        Map<String, Table3Statistics> one = new LinkedHashMap<>();
        one.put("1 steps (full)", Table3Statistics.of(full.scores()));
        assertThatThrownBy(() -> TrainingLengthTable.of(one)).hasMessageContaining("at least two lengths");
    }

    @Test
    void aLengthWithoutAConfigurationShowsADash(@TempDir Path tmp) throws IOException {
        SyntheticRuns.write(tmp.resolve("a"), CASES, Table3StatisticsTest.ordered(0.04), 2, 0.02, 7);
        SyntheticRuns.write(tmp.resolve("b"), CASES, Map.of("baseline", 0.0, "full", 0.1), 2, 0.02, 7);
        Map<String, Table3Statistics> byLength = new LinkedHashMap<>();
        byLength.put("a", Table3Statistics.of(RunsDirectory.read(tmp.resolve("a")).scores()));
        byLength.put("b", Table3Statistics.of(RunsDirectory.read(tmp.resolve("b")).scores()));
        Table t = TrainingLengthTable.of(byLength).table();
        int onlySd = t.stringColumn("Row").indexOf("only-sd");
        assertThat(t.getString(onlySd, "a DSC")).isNotEqualTo("–");
        assertThat(t.getString(onlySd, "b DSC")).isEqualTo("–");
        assertThat(t.getString(t.stringColumn("Row").indexOf("full - baseline"), "b DSC")).startsWith("+");
    }
}

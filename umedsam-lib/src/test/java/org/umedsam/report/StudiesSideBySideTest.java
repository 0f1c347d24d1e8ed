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

class StudiesSideBySideTest {
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

        StudiesSideBySide t = StudiesSideBySide.byTrainingLength(shorter, List.of(longer));

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
    void theTrainedParametersComparisonNamesWhatTrainsAndRefusesAnotherStudy(@TempDir Path tmp) throws IOException {
        SyntheticRuns.write(tmp.resolve("full"), CASES, Table3StatisticsTest.ordered(0.04), 3, 0.02, 7);
        SyntheticRuns.write(tmp.resolve("full-all"), CASES, Table3StatisticsTest.ordered(-0.04), 3, 0.02, 8);
        SyntheticRuns.write(tmp.resolve("other"), CASES, Table3StatisticsTest.ordered(0.04), 2, 0.02, 7);
        RunsDirectory decoder = RunsDirectory.read(tmp.resolve("full"));
        RunsDirectory all = RunsDirectory.read(tmp.resolve("full-all"));

        StudiesSideBySide t = StudiesSideBySide.byTrainedParameters(decoder, all);

        assertThat(t.comparison()).isEqualTo(StudiesSideBySide.Comparison.TRAINED_PARAMETERS);
        assertThat(t.table().columnNames()).containsExactly("Row", "mask decoder (full) DSC", "mask decoder (full) NSD",
                "every parameter (full-all) DSC", "every parameter (full-all) NSD");
        int fullMinusBaseline = t.table().stringColumn("Row").indexOf("full - baseline");
        assertThat(t.table().getString(fullMinusBaseline, "mask decoder (full) DSC")).startsWith("+");
        assertThat(t.table().getString(fullMinusBaseline, "every parameter (full-all) DSC")).startsWith("-");
        assertThat(t.notes()).contains("which parameters each run trained").doesNotContain("training length");
        assertThat(t.caption()).contains("every parameter");
        List<Path> files = t.write(tmp, "03-trained-parameters");
        assertThat(Files.readString(files.get(1))).contains("tab:trained-parameters");
        assertThatThrownBy(() -> StudiesSideBySide.byTrainedParameters(decoder, RunsDirectory.read(tmp.resolve("other"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with every parameter trained");
    }

    @Test
    void anotherStudyIsNotALongerOneAndOneLengthIsNoComparison(@TempDir Path tmp) throws IOException {
        SyntheticRuns.write(tmp.resolve("full"), CASES, Table3StatisticsTest.ordered(0.04), 3, 0.02, 7);
        SyntheticRuns.write(tmp.resolve("other"), CASES, Table3StatisticsTest.ordered(0.04), 2, 0.02, 7);
        RunsDirectory full = RunsDirectory.read(tmp.resolve("full"));
        assertThatThrownBy(() -> StudiesSideBySide.byTrainingLength(full, List.of(RunsDirectory.read(tmp.resolve("other")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the same study trained longer")
                .hasMessageContaining("full-s2");
        Map<String, Table3Statistics> one = new LinkedHashMap<>();
        one.put("1 steps (full)", Table3Statistics.of(full.scores()));
        assertThatThrownBy(() -> StudiesSideBySide.of(StudiesSideBySide.Comparison.TRAINING_LENGTH, one))
                .hasMessageContaining("at least two studies");
    }

    @Test
    void aLengthWithoutAConfigurationShowsADash(@TempDir Path tmp) throws IOException {
        SyntheticRuns.write(tmp.resolve("a"), CASES, Table3StatisticsTest.ordered(0.04), 2, 0.02, 7);
        SyntheticRuns.write(tmp.resolve("b"), CASES, Map.of("baseline", 0.0, "full", 0.1), 2, 0.02, 7);
        Map<String, Table3Statistics> byLength = new LinkedHashMap<>();
        byLength.put("a", Table3Statistics.of(RunsDirectory.read(tmp.resolve("a")).scores()));
        byLength.put("b", Table3Statistics.of(RunsDirectory.read(tmp.resolve("b")).scores()));
        Table t = StudiesSideBySide.of(StudiesSideBySide.Comparison.TRAINING_LENGTH, byLength).table();
        int onlySd = t.stringColumn("Row").indexOf("only-sd");
        assertThat(t.getString(onlySd, "a DSC")).isNotEqualTo("–");
        assertThat(t.getString(onlySd, "b DSC")).isEqualTo("–");
        assertThat(t.getString(t.stringColumn("Row").indexOf("full - baseline"), "b DSC")).startsWith("+");
    }
}

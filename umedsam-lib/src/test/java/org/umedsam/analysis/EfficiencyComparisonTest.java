package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.data.Case;
import org.umedsam.data.CaseWriter;
import org.umedsam.data.SyntheticModalities;
import org.umedsam.infer.CaseInference;
import org.umedsam.report.EfficiencyTable;
import tech.tablesaw.api.Table;

class EfficiencyComparisonTest {
    @Test
    void predictorsAlternateWhoGoesFirstAndEveryPairIsTimed(@TempDir Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(CaseWriter.write(SyntheticModalities.generate("US", i), dir));
        }
        List<String> calls = new ArrayList<>();
        Function<Case, CaseInference.Output> a = fake("baseline", calls, 0);
        Function<Case, CaseInference.Output> b = fake("full", calls, 2);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        List<EfficiencyComparison.Timing> t = EfficiencyComparison.time(List.of("baseline", "full"), List.of(a, b), files,
                2, quiet);
        // two untimed warm-ups, then 2 repeats x 3 cases x 2 predictors
        assertThat(calls).hasSize(2 + 12);
        assertThat(t).hasSize(12);
        // the first of each (repeat, case) pair alternates: b,f | f,b | b,f, then the next repeat shifts by one
        assertThat(calls.subList(2, 14)).containsExactly("baseline", "full", "full", "baseline", "baseline", "full",
                "full", "baseline", "baseline", "full", "full", "baseline");
        assertThat(t).allMatch(x -> x.seconds() >= 0 && x.size().matches("\\d+×\\d+"));
        // the slower fake is measured slower
        double slow = t.stream().filter(x -> x.configuration().equals("full")).mapToDouble(EfficiencyComparison.Timing::seconds).min().orElseThrow();
        assertThat(slow).isGreaterThanOrEqualTo(0.002);

        Path csv = dir.resolve("runs").resolve(EfficiencyTable.FILE);
        EfficiencyComparison.write(t, csv);
        Table read = EfficiencyTable.read(dir.resolve("runs"));
        assertThat(read.rowCount()).isEqualTo(12);
        Table table = EfficiencyTable.of(read);
        assertThat(table.stringColumn("Case").asList()).hasSize(4).endsWith("all cases")
                .doesNotContain("all 2D cases"); // one size class: no class row
        assertThat(table.intColumn("Repeats").asList()).containsOnly(2);
        assertThat(Files.readString(csv)).startsWith(String.join(",", EfficiencyTable.COLUMNS));
    }

    @Test
    void noCasesOrNoRepeatsIsAnError(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        assertThatThrownBy(() -> EfficiencyComparison.time(List.of("a"), List.of(c -> null), List.of(), 1, quiet))
                .hasMessageContaining("no test cases");
        assertThatThrownBy(() -> EfficiencyComparison.time(List.of("a"), List.of(c -> null), List.of(dir), 0, quiet))
                .hasMessageContaining("repeats");
    }

    private static Function<Case, CaseInference.Output> fake(String name, List<String> calls, long sleepMillis) {
        return c -> {
            calls.add(name);
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int[] shape = {c.height(), c.width()};
            return new CaseInference.Output(c.name(), false, org.umedsam.io.LabelArray.zeros(c.height() * c.width()), shape, 1,
                    1, 1);
        };
    }
}

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

    /** {@code n2} 2D and {@code n3} 3D case files, named as the default test split names them, 2D first. */
    static List<Path> split(int n2, int n3) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n2; i++) {
            out.add(Path.of("test", String.format("2D_synthetic_US_%04d.npz", i)));
        }
        for (int i = 0; i < n3; i++) {
            out.add(Path.of("test", String.format("3D_synthetic_CT_%04d.npz", i)));
        }
        return out;
    }

    static long volumes(List<Path> files) {
        return files.stream().filter(f -> f.getFileName().toString().startsWith("3D")).count();
    }

    @Test
    void spreadGivesEachSizeClassAtLeastAThirdOfTheCases() {
        // the default test split: 129 2D and 22 3D cases; an even spread of 8 over all of them held one 3D case
        List<Path> all = split(129, 22);
        List<Path> eight = EfficiencyComparison.spread(all, 8);
        assertThat(eight).hasSize(8).doesNotHaveDuplicates();
        assertThat(volumes(eight)).isEqualTo(2);
        assertThat(eight).isSortedAccordingTo((x, y) -> Integer.compare(all.indexOf(x), all.indexOf(y)));
        // at least a third: 4 of 12 (in proportion 2), 13 of 40 (in proportion 6)
        assertThat(volumes(EfficiencyComparison.spread(all, 12))).isEqualTo(4);
        assertThat(volumes(EfficiencyComparison.spread(all, 40))).isEqualTo(13);
        // in proportion (10 of 12 here) only as far as the other class keeps its third
        assertThat(volumes(EfficiencyComparison.spread(split(20, 100), 12))).isEqualTo(8);
        assertThat(volumes(EfficiencyComparison.spread(split(20, 100), 30))).isEqualTo(20);
        // below 4 cases one of each; a class without cases leaves the whole share to the other
        assertThat(volumes(EfficiencyComparison.spread(all, 2))).isEqualTo(1);
        assertThat(EfficiencyComparison.spread(split(10, 0), 4)).hasSize(4);
        assertThat(volumes(EfficiencyComparison.spread(split(0, 10), 4))).isEqualTo(4);
        // a class smaller than its minimum gives what it has
        List<Path> oneVolume = EfficiencyComparison.spread(split(10, 1), 5);
        assertThat(oneVolume).hasSize(5);
        assertThat(volumes(oneVolume)).isEqualTo(1);
        assertThat(volumes(EfficiencyComparison.spread(split(1, 10), 5))).isEqualTo(4);
        // 0 or more than there are: all of them
        assertThat(EfficiencyComparison.spread(all, 0)).isEqualTo(all);
        assertThat(EfficiencyComparison.spread(all, 500)).isEqualTo(all);
        assertThatThrownBy(() -> EfficiencyComparison.spread(all, -1)).hasMessageContaining("-1");
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

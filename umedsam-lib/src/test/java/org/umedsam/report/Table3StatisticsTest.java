package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class Table3StatisticsTest {
    @Test
    void bootstrapCoversAPlantedDifferenceAndExcludesZero() {
        Random rng = new Random(1);
        double[][] diff = new double[3][40];
        for (double[] row : diff) {
            for (int c = 0; c < row.length; c++) {
                row[c] = 0.05 + 0.03 * rng.nextGaussian();
            }
        }
        PairedBootstrap.Interval iv = PairedBootstrap.interval(diff, new int[40]);
        assertThat(iv.lower()).isLessThan(0.05);
        assertThat(iv.upper()).isGreaterThan(0.05);
        assertThat(iv.above()).isTrue();
        assertThat(iv.mean()).isCloseTo(0.05, within(0.01));
        assertThat(PairedBootstrap.interval(diff, new int[40])).isEqualTo(iv); // seeded: a pure function
    }

    @Test
    void bootstrapOfABalancedNullIncludesZero() {
        double[][] diff = new double[2][20];
        for (double[] row : diff) {
            for (int c = 0; c < row.length; c++) {
                row[c] = c % 2 == 0 ? 0.1 : -0.1;
            }
        }
        PairedBootstrap.Interval iv = PairedBootstrap.interval(diff, new int[20]);
        assertThat(iv.mean()).isCloseTo(0, within(1e-12));
        assertThat(iv.includesZero()).isTrue();
        assertThat(iv.lower()).isLessThan(0);
        assertThat(iv.upper()).isGreaterThan(0);
    }

    @Test
    void bootstrapStatisticIsTheMacroAverageOverStrata() {
        // stratum 0: 3 cases at +0.3; stratum 1: 1 case at -0.1 -> macro mean 0.1, not the case mean 0.2
        double[][] diff = {{0.3, 0.3, 0.3, -0.1}};
        PairedBootstrap.Interval iv = PairedBootstrap.interval(diff, new int[] {0, 0, 0, 1});
        assertThat(iv.mean()).isCloseTo(0.1, within(1e-12));
        assertThat(iv.lower()).isCloseTo(0.1, within(1e-12)); // no spread within a stratum: no spread at all
    }

    @Test
    void bootstrapRejectsRaggedInput() {
        assertThatThrownBy(() -> PairedBootstrap.interval(new double[][] {{0.1, 0.2}, {0.1}}, new int[2]))
                .hasMessageContaining("expected one per case");
    }

    @Test
    void plantedOrderIsReproducedAndDifferencesComeOut(@TempDir Path dir) throws IOException {
        SyntheticRuns.write(dir, Map.of("mr", 12, "ct", 8), ordered(0.04), 3, 0.02, 7);
        Table3Statistics s = Table3Statistics.of(RunsDirectory.read(dir).scores());
        assertThat(s.ordering()).contains("DSC reproduced").contains("NSD reproduced");
        Table d = s.differences();
        Table fullAll = d.where(d.stringColumn("configuration").isEqualTo("full")
                .and(d.stringColumn("reference").isEqualTo("baseline"))
                .and(d.stringColumn("modality").isEqualTo(SeedSummary.AVERAGE))
                .and(d.stringColumn("metric").isEqualTo("DSC")));
        assertThat(fullAll.rowCount()).isEqualTo(1);
        // percentage points, as the tables print them: a planted 0.12 is 12 points
        assertThat(fullAll.doubleColumn("mean_pp").get(0)).isCloseTo(12, within(1.0));
        assertThat(fullAll.doubleColumn("lower_pp").get(0)).isLessThan(12).isGreaterThan(0);
        assertThat(fullAll.intColumn("seeds").get(0)).isEqualTo(3);
        assertThat(fullAll.intColumn("cases").get(0)).isEqualTo(20);
        // full - no-sam, the comparison that isolates SAM: per modality and averaged, once each
        Table sam = d.where(d.stringColumn("configuration").isEqualTo("full")
                .and(d.stringColumn("reference").isEqualTo("no-sam")).and(d.stringColumn("metric").isEqualTo("DSC")));
        assertThat(sam.stringColumn("modality").asList()).containsExactly("ct", "mr", SeedSummary.AVERAGE);
        assertThat(sam.doubleColumn("mean_pp").get(2)).isCloseTo(4, within(1.0));
        assertThat(s.table().stringColumn("full - no-sam NSD").get(2)).startsWith("+");
        // every row has at least 5 cases: no flag column of dashes
        assertThat(s.table().columnNames()).doesNotContain("Flag");
    }

    @Test
    void reversedOrderIsContradictedAndNoiseIsNotResolved(@TempDir Path dir) throws IOException {
        Path reversed = dir.resolve("reversed");
        SyntheticRuns.write(reversed, Map.of("mr", 12), ordered(-0.04), 3, 0.02, 7);
        assertThat(Table3Statistics.of(RunsDirectory.read(reversed).scores()).ordering())
                .contains("DSC contradicted").contains("only-sd - baseline").contains("full - no-sam")
                .contains(" lie below zero)");
        // one step against the paper's ordering: the verb agrees
        Path oneStep = dir.resolve("one-step");
        Map<String, Double> onlySdBelow = new LinkedHashMap<>(ordered(0.04));
        onlySdBelow.put("only-sd", -0.04);
        SyntheticRuns.write(oneStep, Map.of("mr", 12), onlySdBelow, 3, 0.02, 7);
        assertThat(Table3Statistics.of(RunsDirectory.read(oneStep).scores()).ordering())
                .contains("DSC contradicted (only-sd - baseline").contains(" lies below zero)");
        Path noise = dir.resolve("noise");
        SyntheticRuns.write(noise, Map.of("mr", 12), ordered(0.0), 3, 0.05, 7);
        assertThat(Table3Statistics.of(RunsDirectory.read(noise).scores()).ordering())
                .contains("DSC not resolved").contains(" overlap zero)");
        Path two = dir.resolve("two");
        SyntheticRuns.write(two, Map.of("mr", 6), Map.of("baseline", 0.0, "full", 0.1), 1, 0.02, 7);
        assertThat(Table3Statistics.of(RunsDirectory.read(two).scores()).ordering())
                .contains("DSC cannot be checked (no runs of no-sam, only-sd)");
    }

    @Test
    void rowsWithFewCasesAreFlaggedAndTheTableRenders(@TempDir Path dir) throws IOException {
        SyntheticRuns.write(dir.resolve("runs"), Map.of("mr", 6, "ct", 3), ordered(0.04), 2, 0.02, 3);
        Table3Statistics s = Table3Statistics.of(RunsDirectory.read(dir.resolve("runs")).scores());
        Table t = s.table();
        assertThat(t.stringColumn("Modality").asList()).containsExactly("CT", "MR", "Average");
        assertThat(t.stringColumn("n").asList()).containsExactly("3", "6", "9 (2 modalities, equal weight)");
        assertThat(t.stringColumn("Flag").asList()).containsExactly(Table3Statistics.FEW_CASES, "", "");
        assertThat(t.columnNames()).contains("baseline DSC", "full NSD", "full - baseline DSC", "only-sd - baseline NSD")
                .doesNotContain("baseline - baseline DSC");
        assertThat(t.stringColumn("full - baseline DSC").get(2)).matches("\\+\\d+\\.\\d\\d \\[[+-]\\d+\\.\\d\\d, [+-]\\d+\\.\\d\\d\\]");
        assertThat(t.columnNames()).noneMatch(c -> c.startsWith("Paper"));
        assertThat(s.notes()).contains("could not be verified").contains("unweighted mean over modalities");
        List<Path> files = s.write(dir.resolve("figures"), "03-table3-statistics");
        assertThat(files).allMatch(Files::isRegularFile);
        String md = Files.readString(dir.resolve("figures/03-table3-statistics.md"));
        assertThat(md).contains("| Modality | n |").contains(s.ordering()).contains("n under 5");
        assertThat(Files.readString(dir.resolve("figures/03-table3-statistics.tex"))).contains("\\toprule")
                .contains("$\\pm$");
        assertThat(Files.readString(dir.resolve("figures/03-table3-statistics-differences.csv")))
                .startsWith("configuration,reference,modality,metric,cases,seeds,mean_pp,lower_pp,upper_pp\n");
    }

    @Test
    void aCaseWithTwoModalitiesIsAnError() {
        Table t = Tables.readCsv(new java.io.StringReader("""
                configuration,seed,case,modality,dsc,nsd
                baseline,0,a,mr,0.5,0.5
                full,0,a,ct,0.6,0.6
                """), "scores.csv");
        assertThatThrownBy(() -> Table3Statistics.of(t)).hasMessageContaining("scores.csv").hasMessageContaining("'a'");
    }

    /** The paper's order with a step of {@code step} between neighbours. */
    static Map<String, Double> ordered(double step) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("baseline", 0.0);
        m.put("only-sd", step);
        m.put("no-sam", 2 * step);
        m.put("full", 3 * step);
        return m;
    }
}

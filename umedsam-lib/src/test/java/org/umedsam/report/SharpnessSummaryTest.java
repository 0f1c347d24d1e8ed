package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class SharpnessSummaryTest {
    static Table perSeed(double[] rho) {
        return Table.create("s",
                StringColumn.create("configuration", "full", "baseline", "full", "full", "baseline"),
                DoubleColumn.create("seed", 0, 0, 1, 2, 1),
                DoubleColumn.create("rho", rho),
                DoubleColumn.create("loss", 0.30, 0.40, 0.32, 0.34, 0.42),
                DoubleColumn.create("run_loss", 0.2, Double.NaN, 0.4, 0.6, Double.NaN),
                DoubleColumn.create("sharpness", 0.01, 0.05, 0.02, 0.03, 0.07));
    }

    @Test
    void meanAndSampleSdOverSeedsPerConfiguration() {
        Table t = SharpnessSummary.of(perSeed(new double[] {0.05, 0.05, 0.05, 0.05, 0.05}));
        assertThat(t.stringColumn("configuration").asList()).containsExactly("baseline", "full");
        assertThat(t.intColumn("seeds").asList()).containsExactly(2, 3);
        assertThat(t.doubleColumn("sharpness_mean").get(0)).isCloseTo(0.06, within(1e-12));
        assertThat(t.doubleColumn("sharpness_sd").get(0)).isCloseTo(0.02 / Math.sqrt(2), within(1e-12));
        assertThat(t.doubleColumn("sharpness_mean").get(1)).isCloseTo(0.02, within(1e-12));
        assertThat(t.doubleColumn("sharpness_sd").get(1)).isCloseTo(0.01, within(1e-12));
        assertThat(t.doubleColumn("loss_mean").get(1)).isCloseTo(0.32, within(1e-12));
        assertThat(t.doubleColumn("loss_sd").get(1)).isCloseTo(0.02, within(1e-12));
        // the run's own objective: missing in older records, left out rather than averaged as 0
        assertThat(t.doubleColumn("run_loss_mean").getDouble(0)).isNaN();
        assertThat(t.doubleColumn("run_loss_mean").get(1)).isCloseTo(0.4, within(1e-12));
        assertThat(t.doubleColumn("run_loss_sd").get(1)).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void perSeedTableDropsASharpnessThatRepeatsTheAscentIncrease() {
        Table t = perSeed(new double[] {0.05, 0.05, 0.05, 0.05, 0.05});
        t.addColumns(DoubleColumn.create("ascent_increase", 0.01, 0.05, 0.02, 0.03, 0.07),
                DoubleColumn.create("batch", 3, 3, 3, Double.NaN, 3));
        assertThat(SharpnessSummary.perSeedTable(t).columnNames()).contains("ascent_increase").doesNotContain("sharpness");
        assertThat(t.columnNames()).contains("sharpness"); // the summary still reads it
        // where a random direction found more, the sharpness is its own number and stays
        t.doubleColumn("ascent_increase").set(0, 0.005);
        assertThat(SharpnessSummary.perSeedTable(t).columnNames()).contains("sharpness");
        assertThat(SharpnessSummary.batchSizes(t)).isEqualTo("3");
        assertThat(SharpnessSummary.batchSizes(perSeed(new double[] {0.05, 0.05, 0.05, 0.05, 0.05})))
                .isEqualTo(SharpnessSummary.NOT_RECORDED);
    }

    @Test
    void oneSeedHasNoSdAndMixedRadiiAreAnError() {
        Table one = perSeed(new double[] {0.05, 0.05, 0.05, 0.05, 0.05}).where(
                perSeed(new double[] {0.05, 0.05, 0.05, 0.05, 0.05}).doubleColumn("seed").isEqualTo(0));
        Table t = SharpnessSummary.of(one);
        assertThat(t.intColumn("seeds").asList()).containsExactly(1, 1);
        assertThat(t.doubleColumn("sharpness_sd").getDouble(0)).isNaN();
        assertThatThrownBy(() -> SharpnessSummary.of(perSeed(new double[] {0.05, 0.05, 0.1, 0.05, 0.05})))
                .hasMessageContaining("full").hasMessageContaining("radii");
        assertThatThrownBy(() -> SharpnessSummary.of(Table.create("bare", StringColumn.create("configuration"))))
                .hasMessageContaining("no column 'seed'");
    }
}

package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one definition of "the training objective decreased" that the result checks and the findings share. */
class RunRecordsLossTrendTest {

    static RunRecords.LossTrend trend(Path runs, double... loss) throws IOException {
        ResultChecksTest.run(runs, "r", loss, null, 0.5);
        return RunRecords.read(runs.resolve("r")).lossTrend();
    }

    @Test
    void quartersAreMeansOfTheFirstAndLastQuarterOfSteps(@TempDir Path runs) throws IOException {
        RunRecords.LossTrend t = trend(runs, 1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.1);
        assertThat(t.quarterSteps()).isEqualTo(2);
        assertThat(t.steps()).isEqualTo(8);
        assertThat(t.first()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(t.last()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(t.decreased()).isTrue();
    }

    @Test
    void aFewStepsUseOneStepPerQuarterAndARiseIsNotADecrease(@TempDir Path runs) throws IOException {
        RunRecords.LossTrend t = trend(runs, 0.5, 0.7, 0.9);
        assertThat(t.quarterSteps()).isEqualTo(1);
        assertThat(t.first()).isEqualTo(0.5);
        assertThat(t.last()).isEqualTo(0.9);
        assertThat(t.decreased()).isFalse();
    }

    @Test
    void aDivergedStepMakesItsQuarterNaNSoTheRunDidNotDecrease(@TempDir Path runs) throws IOException {
        RunRecords.LossTrend t = trend(runs, 1.0, 0.9, 0.8, Double.NaN);
        assertThat(t.last()).isNaN();
        assertThat(t.decreased()).isFalse();
    }
}

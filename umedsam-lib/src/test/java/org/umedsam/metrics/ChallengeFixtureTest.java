package org.umedsam.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of {@code shared/fixtures/challenge-metrics} scored as the challenge's own evaluation
 * code scored it ({@code expected_metrics.csv}, rounded to 6 decimals).
 */
class ChallengeFixtureTest {
    static final Path FIXTURES = Path.of("..", "..", "shared", "fixtures", "challenge-metrics");

    static Map<String, double[]> expected() throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(FIXTURES.resolve("expected_metrics.csv"));
        assertThat(lines.get(0)).isEqualTo("case,dsc,nsd");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            out.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
        return out;
    }

    @Test
    void everyCaseMatchesTheChallengeScores(@TempDir Path tmp) throws IOException {
        assumeTrue(Files.isDirectory(FIXTURES), "fixtures absent: " + FIXTURES.toAbsolutePath());
        Map<String, double[]> expected = expected();
        MetricTable table = ChallengeEvaluation.evaluate(FIXTURES.resolve("segs"), FIXTURES.resolve("gts"),
                ScoreConfig.defaults(), s -> { });
        assertThat(table.size()).isEqualTo(expected.size());
        for (CaseScore s : table.scores()) {
            double[] e = expected.get(s.name());
            assertThat(e).as(s.name()).isNotNull();
            // the CSV holds values rounded to 6 decimals: ours must round to the same value
            assertThat(s.dsc()).as(s.name() + " dsc").isCloseTo(e[0], within(5.0e-7 + 1e-12));
            assertThat(s.nsd()).as(s.name() + " nsd").isCloseTo(e[1], within(5.0e-7 + 1e-12));
        }
        Path csv = tmp.resolve("metrics.csv");
        table.writeChallengeCsv(csv, 6);
        List<String> ours = Files.readAllLines(csv);
        List<String> theirs = Files.readAllLines(FIXTURES.resolve("expected_metrics.csv"));
        assertThat(ours).hasSameSizeAs(theirs);
        for (int i = 1; i < ours.size(); i++) {
            String[] a = ours.get(i).split(",");
            String[] b = theirs.get(i).split(",");
            assertThat(a[0]).isEqualTo(b[0]);
            assertThat(Double.parseDouble(a[1])).isCloseTo(Double.parseDouble(b[1]), within(1e-6));
            assertThat(Double.parseDouble(a[2])).isCloseTo(Double.parseDouble(b[2]), within(1e-6));
        }
    }
}

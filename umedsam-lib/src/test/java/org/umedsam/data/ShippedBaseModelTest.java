package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.umedsam.infer.CaseInference;
import org.umedsam.infer.Predictor;
import org.umedsam.metrics.CaseScore;
import org.umedsam.metrics.ChallengeEvaluation;
import org.umedsam.metrics.MetricTable;
import org.umedsam.metrics.ScoreConfig;
import org.umedsam.model.LiteMedSam;

/**
 * Each shipped base model ({@code models/NAME.npz}: {@code small-base} and its continuation
 * {@code small-base-continued}) loads by file and scores what its card says ({@code models/NAME/test-scores.csv},
 * from {@code umedsam infer} + {@code umedsam evaluate} on the test split) on three synthetic test cases rebuilt
 * here exactly as the default dataset builds them.
 */
class ShippedBaseModelTest {
    private static final Path MODELS = Path.of("../models");
    /** Per-case DSC may differ from the card by this much (thread count changes float sums slightly). */
    private static final double TOLERANCE = 0.005;

    @ParameterizedTest
    @ValueSource(strings = {"small-base", "small-base-continued"})
    void theShippedBaseScoresWhatItsCardSays(String name, @TempDir Path tmp) throws IOException {
        Path weights = MODELS.resolve(name + ".npz");
        assumeTrue(Files.isRegularFile(weights), "no shipped model at " + weights.toAbsolutePath());
        Map<String, Double> card = new HashMap<>();
        List<String> lines = Files.readAllLines(MODELS.resolve(name + "/test-scores.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            card.put(f[0], Double.parseDouble(f[5]));
        }
        LiteMedSam model = Predictor.loadModel(weights);
        assertThat(model.config().embedDims()).containsExactly(32, 64, 96, 160); // the small preset
        Path gts = Files.createDirectories(tmp.resolve("gts"));
        Path segs = Files.createDirectories(tmp.resolve("segs"));
        CaseInference inference = new CaseInference(Predictor.of(model), 16);
        for (String modality : List.of("US", "Dermoscopy", "XRay")) {
            // index 5 is the first test case of a synthetic modality (DefaultDatasets.splitOf(4) = test)
            assertThat(DefaultDatasets.splitOf(4)).isEqualTo("test");
            Case c = ChallengeLabels.withTightBoxes(ChallengeLabels.consecutive(SyntheticModalities.generate(modality, 5)));
            inference.predictFile(CaseWriter.write(c, gts), segs);
        }
        MetricTable t = ChallengeEvaluation.evaluate(segs, gts, ScoreConfig.defaults(), s -> { });
        assertThat(t.scores()).hasSize(3);
        for (CaseScore s : t.scores()) {
            assertThat(card).containsKey(s.name());
            assertThat(s.dsc()).as(s.name()).isCloseTo(card.get(s.name()), org.assertj.core.data.Offset.offset(TOLERANCE));
        }
    }
}

package org.umedsam.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Scores a folder of predictions against a folder of ground truths laid out as the challenge does
 * ({@code gts/NAME.npz} with {@code gts} and, for 3D, {@code spacing}; {@code segs/NAME.npz} with
 * {@code segs}). Like the challenge's script, the ground-truth folder lists the cases.
 */
public final class ChallengeEvaluation {
    private ChallengeEvaluation() {
    }

    /** The {@code .npz} files of a folder, ordered by name. */
    public static List<Path> caseFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".npz") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Scores every case of {@code gtDir}.
     *
     * @param onCase called with each case's score as soon as it is known (for progress output)
     * @throws IOException naming the file when a prediction is missing or unreadable
     */
    public static MetricTable evaluate(Path segDir, Path gtDir, ScoreConfig config, Consumer<CaseScore> onCase)
            throws IOException {
        MetricTable table = new MetricTable();
        List<Path> gts = caseFiles(gtDir);
        if (!Files.isDirectory(segDir)) {
            throw new IOException(segDir + ": not a directory");
        }
        for (Path gt : gts) {
            Path seg = segDir.resolve(gt.getFileName().toString());
            if (!Files.isRegularFile(seg)) {
                throw new IOException(seg + ": missing prediction for " + gt);
            }
            CaseScore score = CaseScore.evaluateFiles(gt, seg, config);
            table.add(score);
            onCase.accept(score);
        }
        return table;
    }
}

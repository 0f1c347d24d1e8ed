package org.umedsam.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.umedsam.report.RunRecords;
import org.umedsam.report.RunsDirectory;
import tech.tablesaw.api.Table;

/**
 * The runs of a profile's longer counterpart ({@link AblationSettings#longerProfile}: {@code long} beside {@code
 * full}), for the training-length comparison ({@code PaperFigures.trainingLength}), once they are finished.
 */
public final class LongerRuns {
    private LongerRuns() {
    }

    /**
     * The finished runs of the longer profile beside {@code runsDir} (a profile's runs folder, e.g. {@code runs/full}):
     * one folder when every run there has its test scores and every run of its landscape configurations its
     * sharpness estimate, else none (a study still training is not compared).
     */
    public static List<RunsDirectory> finishedBeside(Path runsDir) throws IOException {
        Path dir = runsDir.toAbsolutePath().normalize();
        Optional<String> longer = dir.getFileName() == null ? Optional.empty()
                : AblationSettings.longerProfile(dir.getFileName().toString());
        if (longer.isEmpty()) {
            return List.of();
        }
        Path sibling = dir.resolveSibling(longer.get());
        if (!Files.isDirectory(sibling)) {
            return List.of();
        }
        Optional<RunsDirectory> read = RunsDirectory.readIfAny(sibling);
        if (read.isEmpty()) {
            return List.of();
        }
        RunsDirectory longerRuns = read.get();
        List<RunRecords> runs = longerRuns.runs();
        if (!longerRuns.everyRunScored()) {
            return List.of();
        }
        List<String> withLandscapes = AblationSettings.named(longer.get()).landscapeConfigurations();
        long needSharpness = runs.stream().filter(r -> withLandscapes.contains(r.configuration())).count();
        Table sharpness = longerRuns.sharpness();
        long haveSharpness = sharpness == null ? 0 : sharpness.rowCount();
        return haveSharpness >= needSharpness ? List.of(longerRuns) : List.of();
    }
}

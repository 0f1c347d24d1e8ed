package org.umedsam.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.umedsam.report.RunsDirectory;
import org.umedsam.train.ParameterGroup;

/**
 * The runs of a profile's counterpart that trains every parameter ({@link AblationSettings#trainingEveryParameter}:
 * {@code full-all} beside {@code full}), for the comparison by trained parameters
 * ({@code PaperFigures.trainedParameters}), once every one of its runs has test scores.
 */
public final class EveryParameterRuns {
    private EveryParameterRuns() {
    }

    /**
     * The finished runs of the every-parameter profile beside {@code runsDir} (a profile's runs folder, e.g. {@code
     * runs/full}), when that folder holds the same configurations and seeds as {@code runsDir}, each with its test
     * scores; empty otherwise, also when {@code runsDir} is not named after a profile or trains every parameter itself.
     */
    public static Optional<RunsDirectory> finishedBeside(Path runsDir) throws IOException {
        Path dir = runsDir.toAbsolutePath().normalize();
        if (dir.getFileName() == null) {
            return Optional.empty();
        }
        AblationSettings settings;
        try {
            settings = AblationSettings.named(dir.getFileName().toString());
        } catch (IllegalArgumentException notAProfile) {
            return Optional.empty();
        }
        if (settings.trainable() == ParameterGroup.ALL) {
            return Optional.empty();
        }
        Path sibling = dir.resolveSibling(settings.trainingEveryParameter().profile());
        if (!Files.isDirectory(sibling) || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Optional<RunsDirectory> all = RunsDirectory.readIfAny(sibling);
        Optional<RunsDirectory> own = RunsDirectory.readIfAny(dir);
        if (all.isEmpty() || own.isEmpty()
                || !all.get().configurationsAndSeeds().equals(own.get().configurationsAndSeeds())
                || !all.get().everyRunScored()) {
            return Optional.empty();
        }
        return all;
    }
}

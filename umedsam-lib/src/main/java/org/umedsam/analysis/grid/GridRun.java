package org.umedsam.analysis.grid;

import java.nio.file.Path;
import org.umedsam.analysis.AblationSettings;

/**
 * One configuration x seed of a grid.
 *
 * @param index position in {@link GridStudy#grid()}: the SLURM array index of this run
 */
public record GridRun(int index, String configuration, long seed) {
    public GridRun {
        if (index < 0 || configuration == null || configuration.isBlank()) {
            throw new IllegalArgumentException("a grid run needs an index >= 0 and a configuration, got " + index
                    + " and '" + configuration + "'");
        }
    }

    /** The run folder name, {@code <configuration>-s<seed>}. */
    public String name() {
        return AblationSettings.runName(configuration, seed);
    }

    public Path dir(GridStudy study) {
        return study.runsDir().resolve(name());
    }
}

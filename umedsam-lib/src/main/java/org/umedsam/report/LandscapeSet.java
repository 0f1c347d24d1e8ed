package org.umedsam.report;

import java.util.List;
import java.util.Objects;

/**
 * The landscapes of one run: per direction pair k a 1D line ({@code lines.get(k)}) and a 2D surface
 * ({@code surfaces.get(k)}), all on the common objective (see {@link RunFiles}).
 *
 * @param configuration the run's configuration
 * @param seed          the run's seed
 * @param lines         one line per direction pair, in pair order (may be empty)
 * @param surfaces      one surface per direction pair, in pair order (may be empty)
 */
public record LandscapeSet(String configuration, long seed, List<LandscapeLine> lines, List<LandscapeSurface> surfaces) {
    public LandscapeSet {
        Objects.requireNonNull(configuration, "configuration");
        lines = List.copyOf(lines);
        surfaces = List.copyOf(surfaces);
        if (lines.isEmpty() && surfaces.isEmpty()) {
            throw new IllegalArgumentException(configuration + " seed " + seed + ": a landscape set needs a line or a surface");
        }
    }
}

package org.umedsam.analysis.grid;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a grid as a process runs it: the arguments of the hidden {@code umedsam ablations} subcommand
 * that performs it (after the study's own {@link GridStudy#arguments()}).
 */
public sealed interface GridTask {
    /** The subcommand and its options, e.g. {@code [run-one, --config, full, --seed, 0]}. */
    List<String> arguments();

    /** A short name for logs and job names. */
    String name();

    /** {@code ablations prepare}: the data and the warm start ({@code AblationStudy.prepare}). */
    record Prepare() implements GridTask {
        @Override
        public List<String> arguments() {
            return List.of("prepare");
        }

        @Override
        public String name() {
            return "prepare";
        }
    }

    /** {@code ablations run-one}: trains (or resumes) and scores one run; a finished run is left as it is. */
    record Train(GridRun run) implements GridTask {
        @Override
        public List<String> arguments() {
            return List.of("run-one", "--config", run.configuration(), "--seed", Long.toString(run.seed()));
        }

        @Override
        public String name() {
            return run.name();
        }
    }

    /**
     * {@code ablations finish}: checks every run is finished, adds the landscapes, then writes every figure and
     * table into {@code figures} (none when null) at {@code dpi}.
     */
    record Finish(Path figures, int dpi) implements GridTask {
        public Finish {
            if (dpi < 1) {
                throw new IllegalArgumentException("dpi must be >= 1, got " + dpi);
            }
            figures = figures == null ? null : figures.toAbsolutePath().normalize();
        }

        @Override
        public List<String> arguments() {
            List<String> a = new ArrayList<>(List.of("finish", "--dpi", Integer.toString(dpi)));
            if (figures == null) {
                a.add("--no-figures");
            } else {
                a.addAll(List.of("--figures", figures.toString()));
            }
            return List.copyOf(a);
        }

        @Override
        public String name() {
            return "finish";
        }
    }
}

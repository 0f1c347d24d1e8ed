package org.umedsam.analysis.grid;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What a (re-)submitted grid still has to do, read from the run folders: whether to prepare, which runs to
 * train (every run not {@link RunState#FINISHED}, resumed where it has a checkpoint), then the finish step.
 *
 * @param study    the study
 * @param prepare  whether the shared data and warm start are still missing
 * @param toTrain  the unfinished runs, in grid order
 * @param finished the runs that are skipped
 * @param finish   the last step
 */
public record GridPlan(GridStudy study, boolean prepare, List<GridRun> toTrain, List<GridRun> finished,
                       GridTask.Finish finish) {
    public GridPlan {
        toTrain = List.copyOf(toTrain);
        finished = List.copyOf(finished);
    }

    /** The plan for {@code study} as its folders are now. */
    public static GridPlan of(GridStudy study, GridTask.Finish finish) {
        List<GridRun> todo = new ArrayList<>();
        List<GridRun> done = new ArrayList<>();
        for (GridRun r : study.grid()) {
            (RunState.of(r.dir(study)) == RunState.FINISHED ? done : todo).add(r);
        }
        boolean prepare = !study.open(new PrintStream(PrintStream.nullOutputStream())).prepared();
        return new GridPlan(study, prepare, todo, done, finish);
    }

    /** One line: what runs, what is skipped. */
    public String summary() {
        return String.format("%s: %d of %d runs to train%s%s", study.profile(), toTrain.size(),
                toTrain.size() + finished.size(), finished.isEmpty() ? ""
                        : " (skipping finished " + String.join(", ", finished.stream().map(GridRun::name).toList()) + ")",
                prepare ? ", after preparing the data and warm start" : "");
    }
}

package org.umedsam.analysis.grid;

import java.util.ArrayList;
import java.util.List;

/**
 * A grid's state, one row per step: the runs in grid order, and the prepare and finish jobs where a
 * scheduler knows them.
 *
 * @param rows the rows, printed by {@link #table()}
 */
public record GridStatus(List<Row> rows) {
    public GridStatus {
        rows = List.copyOf(rows);
    }

    /**
     * @param name      a run folder name, or {@code prepare} / {@code finish}
     * @param folder    the run folder's {@link RunState}, or "" for the other steps
     * @param scheduler the scheduler's state (e.g. PENDING, RUNNING), "" when it holds nothing for this row
     * @param job       the job id (an array task as {@code <array>_<index>}), "" when none
     */
    public record Row(String name, String folder, String scheduler, String job) {
    }

    /** Each run's folder state, nothing from a scheduler. */
    public static GridStatus ofFolders(GridStudy study) {
        List<Row> rows = new ArrayList<>();
        for (GridRun r : study.grid()) {
            rows.add(new Row(r.name(), RunState.of(r.dir(study)).name(), "", ""));
        }
        return new GridStatus(rows);
    }

    /** Whether every run folder is {@link RunState#FINISHED}. */
    public boolean runsFinished() {
        return rows.stream().filter(r -> !r.folder().isEmpty()).allMatch(r -> r.folder().equals(RunState.FINISHED.name()));
    }

    /** Whether the scheduler still holds any step (pending, running, requeued). */
    public boolean active() {
        return rows.stream().anyMatch(r -> !r.scheduler().isEmpty() && SlurmQueue.isActive(r.scheduler()));
    }

    /** A plain-text table: step, folder, scheduler, job. */
    public String table() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[]{"step", "folder", "scheduler", "job"});
        for (Row r : rows) {
            cells.add(new String[]{r.name(), r.folder().isEmpty() ? "-" : r.folder(),
                    r.scheduler().isEmpty() ? "-" : r.scheduler(), r.job().isEmpty() ? "-" : r.job()});
        }
        int[] w = new int[4];
        for (String[] c : cells) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] c : cells) {
            for (int i = 0; i < 4; i++) {
                sb.append(i == 3 ? c[i] : String.format("%-" + (w[i] + 2) + "s", c[i]));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}

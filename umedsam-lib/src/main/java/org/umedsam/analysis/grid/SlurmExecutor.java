package org.umedsam.analysis.grid;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Submits a grid to SLURM with {@code sbatch}: a prepare job (when the data or warm start is missing), one job
 * array with a task per unfinished run ({@code afterok} on prepare), and a finish job ({@code afterany} on the
 * array) that scores the landscapes and writes every figure and table once the array has ended. Scripts and
 * the submission record go to {@code <runs>/<profile>/.grid/slurm/}, task output to {@code .grid/logs/}.
 *
 * <p>Re-submitting skips finished runs and resumes interrupted ones; it is refused while a job of the last
 * submission is still queued or running, so a run never trains in two places at once.
 *
 * @param launcher how a task starts on a node (the jar and java must be reachable there)
 * @param options  resources of every job
 * @param log      what was submitted
 */
public record SlurmExecutor(TaskLauncher launcher, SlurmOptions options, PrintStream log) implements GridExecutor {

    /** {@code <runs>/<profile>/.grid/slurm}. */
    public static Path slurmDir(GridStudy study) {
        return study.gridDir().resolve("slurm");
    }

    @Override
    public void execute(GridPlan plan) throws IOException, InterruptedException {
        submit(plan);
    }

    /** Writes the scripts and submits them; returns the job ids. */
    public SlurmSubmission submit(GridPlan plan) throws IOException, InterruptedException {
        GridStudy study = plan.study();
        Path dir = slurmDir(study);
        SlurmSubmission previous = SlurmSubmission.last(dir);
        if (previous != null) {
            List<String> active = new ArrayList<>();
            for (Map.Entry<String, String> e : SlurmQueue.states(previous.jobIds()).entrySet()) {
                if (SlurmQueue.isActive(e.getValue())) {
                    active.add(e.getKey() + " " + e.getValue());
                }
            }
            if (!active.isEmpty()) {
                throw new IOException("this grid's last submission is still in the queue (" + String.join(", ", active)
                        + "); watch it with --status, or cancel it with scancel " + String.join(" ", previous.jobIds())
                        + " before submitting again");
            }
        }
        Files.createDirectories(dir);
        Files.createDirectories(LocalExecutor.logs(study));
        log.println(plan.summary());
        String prepare = "";
        if (plan.prepare()) {
            prepare = sbatch(write(dir, "prepare.sbatch", SlurmScript.single(study, launcher, options, new GridTask.Prepare())),
                    List.of());
        }
        String array = "";
        if (!plan.toTrain().isEmpty()) {
            List<String> extra = new ArrayList<>(List.of("--array=" + SlurmScript.arraySpec(plan.toTrain())));
            extra.addAll(dependency("afterok", prepare));
            array = sbatch(write(dir, "runs.sbatch", SlurmScript.array(study, launcher, options, plan.toTrain())), extra);
        }
        List<String> finishAfter = !array.isEmpty() ? dependency("afterany", array) : dependency("afterok", prepare);
        String finish = sbatch(write(dir, "finish.sbatch", SlurmScript.single(study, launcher, options, plan.finish())),
                finishAfter);
        SlurmSubmission s = new SlurmSubmission(Instant.now(), prepare, array, finish,
                plan.toTrain().stream().map(GridRun::index).toList());
        s.append(dir);
        log.println("submitted" + (prepare.isEmpty() ? "" : " prepare " + prepare) + (array.isEmpty() ? ""
                : " array " + array + " [" + SlurmScript.arraySpec(plan.toTrain()) + "]") + " finish " + finish
                + "; logs in " + LocalExecutor.logs(study));
        return s;
    }

    @Override
    public GridStatus status(GridStudy study) throws IOException, InterruptedException {
        return statusOf(study);
    }

    /** Each run's folder state and the scheduler's state of its task in the last submission. */
    public static GridStatus statusOf(GridStudy study) throws IOException, InterruptedException {
        SlurmSubmission s = SlurmSubmission.last(slurmDir(study));
        Map<String, String> states = s == null ? Map.of() : SlurmQueue.states(s.jobIds());
        List<GridStatus.Row> rows = new ArrayList<>();
        if (s != null && !s.prepare().isEmpty()) {
            rows.add(new GridStatus.Row("prepare", "", states.getOrDefault(s.prepare(), ""), s.prepare()));
        }
        for (GridRun r : study.grid()) {
            String job = "";
            if (s != null && !s.array().isEmpty() && s.indices().contains(r.index())) {
                job = s.array() + "_" + r.index();
            }
            rows.add(new GridStatus.Row(r.name(), RunState.of(r.dir(study)).name(), job.isEmpty() ? ""
                    : states.getOrDefault(job, ""), job));
        }
        if (s != null) {
            rows.add(new GridStatus.Row("finish", "", states.getOrDefault(s.finish(), ""), s.finish()));
        }
        return new GridStatus(rows);
    }

    private static List<String> dependency(String kind, String job) {
        return job.isEmpty() ? List.of() : List.of("--dependency=" + kind + ":" + job, "--kill-on-invalid-dep=yes");
    }

    private static Path write(Path dir, String name, String script) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, script);
        return f;
    }

    /** {@code sbatch --parsable <extra> <script>}; returns the job id. */
    private static String sbatch(Path script, List<String> extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("sbatch", "--parsable"));
        args.addAll(extra);
        args.add(script.toString());
        String out = Command.check(args).strip();
        String id = out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
        if (!id.matches("[0-9]+")) {
            throw new IOException("sbatch " + script + " answered '" + out + "', expected a job id");
        }
        return id;
    }
}

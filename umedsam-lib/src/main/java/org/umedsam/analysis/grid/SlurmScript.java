package org.umedsam.analysis.grid;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch scripts of a grid: one for the prepare job, one for the job array of runs (its
 * {@code SLURM_ARRAY_TASK_ID} is the run's {@link GridRun#index()}), one for the finish job. Each task starts
 * the jar with {@code SLURM_CPUS_PER_TASK} threads; the array is requeued when a node fails or the task is
 * preempted ({@code --requeue}), and a requeued run resumes from its checkpoint.
 */
final class SlurmScript {
    private SlurmScript() {
    }

    /** The script of a single job ({@link GridTask.Prepare} or {@link GridTask.Finish}). */
    static String single(GridStudy study, TaskLauncher launcher, SlurmOptions options, GridTask task) {
        StringBuilder sb = header(study, options, jobName(study, task.name()), false);
        sb.append("exec ").append(shellCommand(launcher.command(study, task, "$threads"))).append('\n');
        return sb.toString();
    }

    /** The script of the job array over {@code runs} (submitted with {@code --array} set to their indices). */
    static String array(GridStudy study, TaskLauncher launcher, SlurmOptions options, List<GridRun> runs) {
        StringBuilder sb = header(study, options, jobName(study, "runs"), true);
        sb.append("case \"${SLURM_ARRAY_TASK_ID:?not an array task}\" in\n");
        for (GridRun r : runs) {
            List<String> c = launcher.command(study, new GridTask.Train(r), "$threads");
            sb.append("  ").append(r.index()).append(") exec ").append(shellCommand(c)).append(" ;;\n");
        }
        sb.append("  *) echo \"no run with array index $SLURM_ARRAY_TASK_ID in this grid\" >&2; exit 2 ;;\n");
        sb.append("esac\n");
        return sb.toString();
    }

    /** {@code umedsam-<profile>-<step>}. */
    static String jobName(GridStudy study, String step) {
        return "umedsam-" + study.profile() + "-" + step;
    }

    /** The array's {@code --array} value: the runs' indices, comma-separated. */
    static String arraySpec(List<GridRun> runs) {
        return String.join(",", runs.stream().map(r -> Integer.toString(r.index())).toList());
    }

    private static StringBuilder header(GridStudy study, SlurmOptions o, String name, boolean array) {
        List<String> lines = new ArrayList<>(List.of(
                "--job-name=" + name,
                "--cpus-per-task=" + o.cpusPerTask(),
                "--mem=" + o.memory(),
                "--time=" + o.time(),
                "--requeue",
                "--open-mode=append",
                "--chdir=" + study.runsDir(),
                "--output=" + LocalExecutor.logs(study).resolve(array ? "%x-%A_%a.out" : "%x-%j.out")));
        if (!o.partition().isEmpty()) {
            lines.add("--partition=" + o.partition());
        }
        lines.addAll(o.extraLines());
        StringBuilder sb = new StringBuilder("#!/bin/bash\n");
        sb.append("# written by umedsam ablations --executor slurm for ").append(study.runsDir()).append('\n');
        for (String l : lines) {
            sb.append("#SBATCH ").append(l).append('\n');
        }
        sb.append("set -euo pipefail\n");
        sb.append("threads=\"${SLURM_CPUS_PER_TASK:-").append(o.cpusPerTask()).append("}\"\n");
        sb.append("export OMP_NUM_THREADS=\"$threads\" OMP_WAIT_POLICY=PASSIVE\n");
        sb.append("echo \"$(date -u +%FT%TZ) ${SLURM_JOB_ID:-} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}\"\n");
        return sb;
    }

    /** The words single-quoted for bash, except a word holding {@code $threads}, which is double-quoted. */
    static String shellCommand(List<String> words) {
        List<String> q = new ArrayList<>();
        for (String w : words) {
            q.add(w.contains("$threads") ? "\"" + w + "\"" : "'" + w.replace("'", "'\\''") + "'");
        }
        return String.join(" ", q);
    }
}

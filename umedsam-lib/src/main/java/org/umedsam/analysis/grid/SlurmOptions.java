package org.umedsam.analysis.grid;

import java.util.List;

/**
 * The resources every job of a grid asks SLURM for (one task per run; the prepare and finish jobs get the same).
 *
 * @param partition   {@code --partition}, "" for the cluster's default
 * @param cpusPerTask {@code --cpus-per-task}: the run's threads (Java loops and OpenMP)
 * @param memory      {@code --mem}, e.g. {@code 8G} (the small preset training every parameter peaks at 3.3 GB)
 * @param time        {@code --time}, e.g. {@code 02:00:00} or {@code 1-00:00:00}
 * @param extraLines  more {@code #SBATCH} options, e.g. {@code --account=lab} or {@code --qos=short} (written as
 *                    {@code #SBATCH <line>}; a line may also be given with its {@code #SBATCH} prefix)
 * @param java        the {@code java} the nodes run (a path, or a name on their PATH)
 */
public record SlurmOptions(String partition, int cpusPerTask, String memory, String time, List<String> extraLines,
                           String java) {
    public SlurmOptions {
        partition = partition == null ? "" : partition.strip();
        if (!partition.matches("[A-Za-z0-9_.,-]*")) {
            throw new IllegalArgumentException("partition must be a SLURM partition name (list), got '" + partition + "'");
        }
        if (cpusPerTask < 1) {
            throw new IllegalArgumentException("cpus per task must be >= 1, got " + cpusPerTask);
        }
        if (memory == null || !memory.matches("[0-9]+[KMGT]?")) {
            throw new IllegalArgumentException("memory must be a number with an optional K, M, G or T, got '" + memory + "'");
        }
        if (time == null || !time.matches("[0-9]+(-[0-9]+)?(:[0-9]+){0,2}")) {
            throw new IllegalArgumentException("time must be minutes, H:MM:SS or D-HH:MM:SS, got '" + time + "'");
        }
        extraLines = extraLines.stream().map(l -> l.strip().replaceFirst("^#SBATCH\\s+", "")).toList();
        for (String l : extraLines) {
            if (!l.startsWith("-") || l.contains("\n") || l.contains("\r")) {
                throw new IllegalArgumentException("an extra sbatch line must be one option such as --account=lab, got '"
                        + l + "'");
            }
        }
        if (java == null || java.isBlank() || java.contains("\n")) {
            throw new IllegalArgumentException("java must be an executable name or path, got '" + java + "'");
        }
    }

    /** 2 CPUs, 8 GB, 2 hours, the default partition, {@code java} from the nodes' PATH. */
    public static SlurmOptions defaults() {
        return new SlurmOptions("", 2, "8G", "02:00:00", List.of(), "java");
    }
}

package org.umedsam.analysis.grid;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a grid on this machine as child processes: prepare (every core), then {@code parallel} runs at once with
 * {@code threadsPerRun} threads each, then finish (every core). Each task's output goes to
 * {@code <runs>/<profile>/.grid/logs/<task>.log}. A failed run does not stop the others; finish is then
 * skipped and the failure reported. Stopping this JVM stops its children (their runs resume next time).
 *
 * @param launcher      how a task is started
 * @param parallel      runs at once, >= 1
 * @param threadsPerRun threads of each run, >= 1 (the machine's cores divided by {@code parallel} when unsure)
 * @param cores         threads of the prepare and finish steps
 * @param log           progress lines
 */
public record LocalExecutor(TaskLauncher launcher, int parallel, int threadsPerRun, int cores, PrintStream log)
        implements GridExecutor {
    public LocalExecutor {
        if (parallel < 1 || threadsPerRun < 1 || cores < 1) {
            throw new IllegalArgumentException("parallel, threads per run and cores must be >= 1, got " + parallel
                    + ", " + threadsPerRun + " and " + cores);
        }
    }

    /** {@code parallel} runs sharing this machine's cores evenly (at least one thread each). */
    public static LocalExecutor sharing(TaskLauncher launcher, int parallel, PrintStream log) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new LocalExecutor(launcher, parallel, Math.max(1, cores / Math.max(1, parallel)), cores, log);
    }

    @Override
    public void execute(GridPlan plan) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        log.println(plan.summary() + String.format(Locale.ROOT, "; %d at once, %d thread%s each", parallel,
                threadsPerRun, threadsPerRun == 1 ? "" : "s"));
        Set<Process> children = ConcurrentHashMap.newKeySet();
        Thread stopChildren = new Thread(() -> children.forEach(Process::destroy));
        Runtime.getRuntime().addShutdownHook(stopChildren);
        try {
            if (plan.prepare()) {
                require(run(plan.study(), new GridTask.Prepare(), cores, children), "prepare");
            }
            List<String> failed = trainAll(plan, children);
            if (!failed.isEmpty()) {
                throw new IOException("runs failed: " + String.join(", ", failed) + " (logs in "
                        + logs(plan.study()) + "); run the grid again to resume them");
            }
            require(run(plan.study(), plan.finish(), cores, children), "finish");
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopChildren);
        }
        log.printf(Locale.ROOT, "grid '%s' done in %.1f min%n", plan.study().profile(), (System.nanoTime() - t0) / 60e9);
    }

    @Override
    public GridStatus status(GridStudy study) {
        return GridStatus.ofFolders(study);
    }

    private List<String> trainAll(GridPlan plan, Set<Process> children) throws InterruptedException, IOException {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (GridRun r : plan.toTrain()) {
                results.add(pool.submit(() -> run(plan.study(), new GridTask.Train(r), threadsPerRun, children)));
            }
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                try {
                    if (!results.get(i).get()) {
                        failed.add(plan.toTrain().get(i).name());
                    }
                } catch (ExecutionException e) {
                    throw new IOException("could not start " + plan.toTrain().get(i).name() + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one task to its end; true when it exited with 0. */
    private boolean run(GridStudy study, GridTask task, int threads, Set<Process> children)
            throws IOException, InterruptedException {
        Path logFile = logs(study).resolve(task.name() + ".log");
        Files.createDirectories(logFile.getParent());
        ProcessBuilder pb = new ProcessBuilder(launcher.command(study, task, Integer.toString(threads)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(TaskLauncher.environment(threads));
        long t0 = System.nanoTime();
        Process p = pb.start();
        children.add(p);
        log.printf(Locale.ROOT, "started %s (pid %d, %d thread%s, log %s)%n", task.name(), p.pid(), threads,
                threads == 1 ? "" : "s", logFile);
        try {
            int code = p.waitFor();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (code == 0) {
                log.printf(Locale.ROOT, "%s done in %.1f s%n", task.name(), seconds);
            } else {
                log.printf(Locale.ROOT, "%s FAILED (exit %d after %.1f s), see %s%n", task.name(), code, seconds, logFile);
            }
            return code == 0;
        } finally {
            p.destroy();
            children.remove(p);
        }
    }

    private static void require(boolean ok, String step) throws IOException {
        if (!ok) {
            throw new IOException(step + " failed; see its log");
        }
    }

    /** Where the task logs go: {@code <runs>/<profile>/.grid/logs}. */
    public static Path logs(GridStudy study) {
        return study.gridDir().resolve("logs");
    }
}

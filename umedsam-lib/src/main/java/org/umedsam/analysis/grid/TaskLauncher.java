package org.umedsam.analysis.grid;

import org.umedsam.model.VectorSupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a grid task is started: {@code java -XX:ActiveProcessorCount=<threads> <jvmOptions> -jar <jar> ablations
 * <task> <study>}. The thread count bounds the CPU engine's Java loops (they split work by the processor count
 * the JVM sees) and is given to OpenMP ({@code OMP_NUM_THREADS}, see {@link #environment}) for the native BLAS.
 *
 * @param java       the {@code java} executable (a path, or a name looked up on the PATH of the node)
 * @param jvmOptions extra JVM options, e.g. {@code -Xmx6g}
 * @param jar        the {@code umedsam.jar} (on a cluster: a path every node sees)
 */
public record TaskLauncher(String java, List<String> jvmOptions, Path jar) {
    public TaskLauncher {
        Objects.requireNonNull(java, "java");
        jvmOptions = List.copyOf(jvmOptions);
        jar = jar.toAbsolutePath().normalize();
    }

    /**
     * The jar started by the {@code java} of this JVM; when this JVM runs the vectorised kernels' module, the tasks
     * get it too ({@link VectorSupport#jvmOptions()}).
     */
    public static TaskLauncher of(Path jar) {
        return new TaskLauncher(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                VectorSupport.jvmOptions(), jar);
    }

    /** The jar this class was loaded from when it is a runnable jar ({@code umedsam.jar}), else null. */
    public static Path runningJar() {
        try {
            Path p = Path.of(TaskLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    public TaskLauncher withJava(String javaExecutable) {
        return new TaskLauncher(javaExecutable, jvmOptions, jar);
    }

    public TaskLauncher withJvmOptions(List<String> options) {
        return new TaskLauncher(java, options, jar);
    }

    /** These JVM options followed by {@code more}. */
    public TaskLauncher plusJvmOptions(List<String> more) {
        List<String> all = new ArrayList<>(jvmOptions);
        all.addAll(more);
        return new TaskLauncher(java, all, jar);
    }

    /**
     * The command line of {@code task}; {@code threads} is a number or, in a job script, a shell expansion
     * such as {@code $threads} (the caller quotes the other words).
     */
    public List<String> command(GridStudy study, GridTask task, String threads) {
        List<String> c = new ArrayList<>();
        c.add(java);
        c.add("-XX:ActiveProcessorCount=" + threads);
        c.addAll(jvmOptions);
        c.addAll(List.of("-jar", jar.toString(), "ablations"));
        c.addAll(task.arguments());
        c.addAll(study.arguments());
        return c;
    }

    /** The environment of a task with {@code threads} threads: OpenMP's thread count and passive waiting. */
    public static Map<String, String> environment(int threads) {
        return Map.of("OMP_NUM_THREADS", Integer.toString(threads), "OMP_WAIT_POLICY", "PASSIVE");
    }
}

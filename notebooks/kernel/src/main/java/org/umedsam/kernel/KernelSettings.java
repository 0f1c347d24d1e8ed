package org.umedsam.kernel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the kernel reads from its environment, with IJava's variable names.
 *
 * @param classpath           {@code IJAVA_CLASSPATH}: {@link java.io.File#pathSeparator}-separated jars,
 *                            directories, {@code dir/*} or globs put on every cell's class path
 * @param startupScriptsPath  {@code IJAVA_STARTUP_SCRIPTS_PATH}: separated paths or globs of
 *                            {@code .jshell} files evaluated at startup, in order
 * @param startupScript       {@code IJAVA_STARTUP_SCRIPT}: Java code evaluated after those files
 * @param compilerOptions     {@code IJAVA_COMPILER_OPTS}: options for JShell's compiler, blank-separated
 * @param workingDirectory    what relative entries resolve against
 */
public record KernelSettings(String classpath, String startupScriptsPath, String startupScript,
                             List<String> compilerOptions, Path workingDirectory) {
    public static final String CLASSPATH = "IJAVA_CLASSPATH";
    public static final String STARTUP_SCRIPTS_PATH = "IJAVA_STARTUP_SCRIPTS_PATH";
    public static final String STARTUP_SCRIPT = "IJAVA_STARTUP_SCRIPT";
    public static final String COMPILER_OPTS = "IJAVA_COMPILER_OPTS";

    public KernelSettings {
        classpath = Objects.requireNonNullElse(classpath, "");
        startupScriptsPath = Objects.requireNonNullElse(startupScriptsPath, "");
        startupScript = Objects.requireNonNullElse(startupScript, "");
        compilerOptions = List.copyOf(Objects.requireNonNull(compilerOptions, "compilerOptions"));
        workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory").toAbsolutePath();
    }

    /** Nothing extra on the class path, no startup scripts, the current directory. */
    public static KernelSettings defaults() {
        return new KernelSettings("", "", "", List.of(), Path.of(""));
    }

    public static KernelSettings fromEnvironment(Map<String, String> env, Path workingDirectory) {
        String opts = env.getOrDefault(COMPILER_OPTS, "").strip();
        List<String> compilerOptions = opts.isEmpty() ? List.of() : Arrays.asList(opts.split("\\s+"));
        return new KernelSettings(env.get(CLASSPATH), env.get(STARTUP_SCRIPTS_PATH), env.get(STARTUP_SCRIPT),
                compilerOptions, workingDirectory);
    }
}

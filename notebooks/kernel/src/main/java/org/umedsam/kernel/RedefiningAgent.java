package org.umedsam.kernel;

import java.lang.instrument.Instrumentation;

/**
 * Receives the JVM's {@link Instrumentation} when the kernel starts as {@code java -jar
 * umedsam-kernel.jar} (the jar's manifest names this class as {@code Launcher-Agent-Class}).
 *
 * <p>Why: when a later cell adds an import or a definition, JShell recompiles earlier snippets
 * and asks the execution engine to <em>redefine</em> their classes. A plain
 * {@code DirectExecutionControl} cannot, so JShell loads fresh classes instead and every affected
 * variable silently falls back to null/0. With instrumentation the classes are redefined in place
 * and variables keep their values, as in the {@code jshell} tool.
 */
public final class RedefiningAgent {
    private static volatile Instrumentation instrumentation;

    private RedefiningAgent() {
    }

    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    /** The instrumentation, or null when the kernel was not started with the agent (e.g. in unit tests). */
    static Instrumentation instrumentation() {
        return instrumentation;
    }
}

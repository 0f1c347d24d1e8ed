package org.umedsam.kernel;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The notebook's interrupt on this JVM, for {@link InterruptOnEveryJdkTest}'s child JVMs: a cell that spins in its
 * own loop is stopped, the cell fails as interrupted, and the shell goes on. Exits 0 when all holds, else prints what
 * did not and exits 1.
 */
final class InterruptCheck {

    /**
     * System property the cell's loop sets on its first turn (the shell runs cells in this JVM): a stop asked for
     * between two snippets of a cell, while the next one compiles, finds nothing running and is lost.
     */
    private static final String SPINNING = "umedsam.test.spinning";

    private InterruptCheck() {
    }

    public static void main(String[] args) throws Exception {
        JavaEvaluator shell = new JavaEvaluator(List.of());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                shell.eval("long spins = 0;\nwhile (true) { if (spins++ == 0) { System.setProperty(\"" + SPINNING
                        + "\", \"yes\"); } }");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        cell.setDaemon(true); // a cell that cannot be stopped must not keep this JVM alive
        cell.start();
        // interrupt the loop, not the compilation before it: on a loaded machine compiling the cell's snippets took
        // longer than the fixed 500 ms wait this had, and the interrupt found no loop and no variable yet
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.getProperty(SPINNING) == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        shell.interrupt();
        cell.join(20_000);
        String problem = cell.isAlive() ? "the spinning cell was still running 20 s after the interrupt"
                : !(failure.get() instanceof EvaluationException e && e.getMessage().startsWith("interrupted"))
                ? "the cell ended with " + failure.get() + " instead of failing as interrupted"
                : !Boolean.TRUE.equals(shell.eval("spins > 0").value()) ? "the shell lost the cell's variable"
                : null;
        System.out.println("java " + Runtime.version() + ": " + (problem == null ? "interrupt stopped the cell" : problem));
        System.exit(problem == null ? 0 : 1);
    }
}

package org.umedsam.kernel;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The notebook's interrupt on this JVM, for {@link InterruptOnEveryJdkTest}'s child JVMs: a cell that spins in its
 * own loop is stopped, the cell fails as interrupted, and the shell goes on. Exits 0 when all holds, else prints what
 * did not and exits 1.
 */
final class InterruptCheck {

    private InterruptCheck() {
    }

    public static void main(String[] args) throws Exception {
        JavaEvaluator shell = new JavaEvaluator(List.of());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                shell.eval("long spins = 0;\nwhile (true) { spins++; }");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        cell.setDaemon(true); // a cell that cannot be stopped must not keep this JVM alive
        cell.start();
        Thread.sleep(500);
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

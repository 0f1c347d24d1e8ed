package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The notebook's interrupt stops a cell even when it comes between two of the cell's snippets, while JShell analyses
 * and compiles the next one and nothing runs that could be stopped: until 2026-12-07 such an interrupt was lost and
 * the cell's next snippet, here an endless loop, ran on.
 */
class InterruptBetweenSnippetsTest {

    @Test
    void anInterruptWhileTheNextSnippetCompilesStopsTheCell() throws Exception {
        JavaEvaluator shell = new JavaEvaluator(List.of());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                shell.eval("Thread.sleep(300);\nlong spins = 0;\nwhile (true) { spins++; }");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        cell.setDaemon(true); // a cell that cannot be stopped must not keep the test JVM alive
        cell.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!shell.runningSnippet() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(shell.runningSnippet()).as("the cell's first snippet started").isTrue();
        while (shell.runningSnippet() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        shell.interrupt(); // the first snippet has ended; the shell is on to the next
        cell.join(20_000);

        assertThat(cell.isAlive()).as("the cell still runs 20 s after the interrupt").isFalse();
        assertThat(failure.get()).isInstanceOf(EvaluationException.class);
        assertThat(failure.get().getMessage()).startsWith("interrupted");
        // the interrupt was the cell's: the next cell runs
        assertThat(shell.eval("1 + 1").value()).isEqualTo(2);
        shell.close();
    }
}

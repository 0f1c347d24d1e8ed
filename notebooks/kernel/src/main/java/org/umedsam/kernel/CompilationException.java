package org.umedsam.kernel;

import java.util.List;

/** A cell's code did not compile; the message lists JShell's diagnostics with the offending source line. */
public class CompilationException extends Exception {
    private final List<String> diagnostics;

    public CompilationException(List<String> diagnostics) {
        super(String.join("\n", diagnostics));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<String> diagnostics() {
        return diagnostics;
    }
}

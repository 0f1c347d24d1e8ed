package org.umedsam.kernel;

import java.util.List;

/** A cell's code did not compile; the message lists JShell's diagnostics with the offending source line. */
public class CompilationException extends Exception {
    private final List<String> diagnostics;

    public CompilationException(List<String> diagnostics) {
        // no stack trace: the kernel's own frames say nothing about the user's code
        super(String.join("\n", diagnostics), null, false, false);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<String> diagnostics() {
        return diagnostics;
    }
}

package org.umedsam.kernel;

/**
 * A cell failed with something that is not an {@link Exception}: an {@link Error} thrown by the
 * cell (kept as the cause, its class named in the message), an unresolved reference, or a
 * failed startup script.
 */
public class EvaluationException extends Exception {
    // no stack trace of its own: the kernel's frames say nothing about the user's code (a cause keeps its own)
    public EvaluationException(String message) {
        super(message, null, false, false);
    }

    public EvaluationException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}

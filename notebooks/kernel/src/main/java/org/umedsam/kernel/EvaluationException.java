package org.umedsam.kernel;

/**
 * A cell failed with something that is not an {@link Exception}: an {@link Error} thrown by the
 * cell (kept as the cause, its class named in the message), an unresolved reference, or a
 * failed startup script.
 */
public class EvaluationException extends Exception {
    public EvaluationException(String message) {
        super(message);
    }

    public EvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.umedsam.train;

/** A loss or gradient became NaN or infinite; the run stops, its last good checkpoint stays. */
public final class NonFiniteLossException extends RuntimeException {
    private final long step;
    private final String term;

    public NonFiniteLossException(long step, int epoch, String term, double value) {
        super("non-finite " + ("grad_norm".equals(term) ? "gradient" : "loss") + " at step " + step + " (epoch "
                + epoch + "): " + term + " = " + value + "; the last good checkpoint is kept");
        this.step = step;
        this.term = term;
    }

    public long step() {
        return step;
    }

    /** The offending loss term ({@code dice}, {@code sd}, ..., {@code total} or {@code grad_norm}). */
    public String term() {
        return term;
    }
}

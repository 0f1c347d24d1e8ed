package org.umedsam.io;

import java.util.List;

/**
 * What keeps a state dict from fitting the model it is read for, one line per key: missing, unexpected, or of
 * another shape or type ({@code "missing key 'w'"}). Callers that report in one line take {@link #count()} and
 * {@link #first()}; the full error is {@link #message}.
 *
 * @param all the problems in the order they were found; at least one
 */
public record StateDictProblems(List<String> all) {
    public StateDictProblems {
        all = List.copyOf(all);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("a state dict mismatch needs at least one problem");
        }
    }

    public int count() {
        return all.size();
    }

    public String first() {
        return all.get(0);
    }

    /**
     * {@code "SOURCE: state dict does not match EXPECTED: N problem(s): a; b; ..."}, listing at most {@code listed}
     * problems (a long list would bury the first).
     */
    public String message(String source, String expected, int listed) {
        if (listed < 1) {
            throw new IllegalArgumentException("listed must be at least 1, got " + listed);
        }
        return source + ": state dict does not match " + expected + ": " + count() + " problem(s): "
                + String.join("; ", all.subList(0, Math.min(count(), listed))) + (count() > listed ? "; ..." : "");
    }
}

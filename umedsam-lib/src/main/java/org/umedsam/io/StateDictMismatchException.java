package org.umedsam.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weights file whose state dict does not fit the model it is read for (its keys or shapes), found before any
 * tensor is materialised. An {@link IOException} as every refusal of a file is; it carries its
 * {@link StateDictProblems} so that a caller can report them without parsing the message.
 */
public final class StateDictMismatchException extends IOException {
    /** How many problems the message lists. */
    static final int LISTED = 10;

    private final StateDictProblems problems;

    public StateDictMismatchException(Path file, StateDictProblems problems) {
        super(problems.message(file.toString(), "the model", LISTED));
        this.problems = problems;
    }

    public StateDictProblems problems() {
        return problems;
    }
}

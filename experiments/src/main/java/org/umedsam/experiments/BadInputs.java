package org.umedsam.experiments;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --skip-bad-cases} of the commands that work through many inputs one by one ({@code convert},
 * {@code to-nifti}): a bad input stops the run (what was written before it stays), or, when skipping, is reported in
 * one line ({@code umedsam CMD: skipped ...}) and counted, and the run ends with one line counting the skipped
 * inputs and exit code 2.
 */
final class BadInputs {
    private final CommandSpec spec;
    private final boolean skip;
    private final List<Object> skipped = new ArrayList<>();

    BadInputs(CommandSpec spec, boolean skip) {
        this.spec = spec;
        this.skip = skip;
    }

    /** Rethrows {@code e}, the failure on {@code input}, unless skipping; then reports it in one line. */
    <E extends Exception> void skipOrThrow(Object input, E e) throws E {
        if (!skip) {
            throw e;
        }
        skipped.add(input);
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": skipped " + CliErrors.oneLine(String.valueOf(e.getMessage())));
        err.flush();
    }

    /** How many inputs were skipped so far. */
    int count() {
        return skipped.size();
    }

    /**
     * 0 when nothing was skipped; else the line counting the skipped {@code inputs} (e.g. "pairs") of {@code total},
     * which have no {@code product} (e.g. "case"), and {@link CliErrors#BAD_INPUT}.
     */
    int exitCode(int total, String inputs, String product) {
        if (skipped.isEmpty()) {
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + skipped.size() + " of " + total + " " + inputs + " skipped (first: "
                + skipped.get(0) + "); they have no " + product + ", the other " + (total - skipped.size()) + " have");
        err.flush();
        return CliErrors.BAD_INPUT;
    }
}

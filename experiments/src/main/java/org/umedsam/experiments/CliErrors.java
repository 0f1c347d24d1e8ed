package org.umedsam.experiments;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;

/**
 * The one place the CLI turns an exception into what the user sees: a single line naming the
 * command and the problem (already naming the file, key and expectation, as the library's errors
 * do), the stack trace only with {@code --debug}. Bad input (unreadable or malformed files, bad
 * options, refused outputs) exits with {@link #BAD_INPUT}; anything else is an internal error and
 * exits with {@link #INTERNAL}.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    /** Exit code for input the tool refuses (files, options, output locations). */
    static final int BAD_INPUT = 2;
    /** Exit code for a failure that is not the input's fault. */
    static final int INTERNAL = 1;

    private final boolean debug;

    CliErrors(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        return report(ex, cmd);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        if (debug) {
            ex.printStackTrace(err);
        }
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage())
                + " (see " + cmd.getCommandSpec().qualifiedName() + " --help)");
        err.flush();
        return BAD_INPUT;
    }

    /** Prints {@code ex} as one line (or its stack trace with --debug) and returns the exit code. */
    int report(Throwable ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        Throwable cause = unwrap(ex);
        if (cause instanceof CommandLine.ParameterException pe) {
            return handleParseException(pe, new String[0]);
        }
        boolean bad = isBadInput(cause);
        if (debug) {
            ex.printStackTrace(err);
        }
        String what = cause.getMessage() == null || cause.getMessage().isBlank()
                ? cause.getClass().getSimpleName() : oneLine(cause.getMessage());
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + (bad ? "" : "internal error: "
                + cause.getClass().getSimpleName() + ": ") + what + (debug ? "" : bad ? "" : " (rerun with --debug for details)"));
        err.flush();
        return bad ? BAD_INPUT : INTERNAL;
    }

    /** Strips the wrappers executors and reflection add, keeping the first exception that says something. */
    static Throwable unwrap(Throwable ex) {
        Throwable t = ex;
        for (int i = 0; i < 16 && t.getCause() != null && t.getCause() != t && isWrapper(t); i++) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isWrapper(Throwable t) {
        return t instanceof ExecutionException || t instanceof CompletionException || t instanceof UncheckedIOException
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException
                || t instanceof CommandLine.ExecutionException
                // ForkJoinTask and others wrap a checked exception in a bare RuntimeException
                || (t.getClass() == RuntimeException.class && t.getCause() != null);
    }

    /** Whether the input, not the tool, is at fault: files and arguments the tool refuses. */
    static boolean isBadInput(Throwable t) {
        return t instanceof IOException || t instanceof IllegalArgumentException
                || t instanceof CommandLine.ParameterException;
    }

    static String oneLine(String message) {
        String m = message.strip().replaceAll("\\s*\\R\\s*", " ");
        return m.length() <= 1000 ? m : m.substring(0, 1000) + "...";
    }
}

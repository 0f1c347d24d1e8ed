package org.umedsam.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * Evaluates Java source with JShell inside this JVM, one complete snippet at a time, and returns the
 * last snippet's value as a real object.
 *
 * <p>Failures surface as exceptions a notebook user can read: the cell's own exception (real class,
 * message and stack trimmed to the cell's frames), a {@link CompilationException} listing the
 * compiler's errors, or an {@link EvaluationException}.
 */
public final class JavaEvaluator implements AutoCloseable {
    /**
     * The imports every IJava cell starts with (IJava's own list, narrower than the jshell tool's: no
     * java.nio.file, java.util.function or java.util.stream), so a notebook that runs here runs there.
     */
    public static final List<String> DEFAULT_IMPORTS = List.of(
            "java.util.*", "java.io.*", "java.math.*", "java.net.*", "java.util.concurrent.*",
            "java.util.prefs.*", "java.util.regex.*");

    /** What a cell produced: a value (possibly null) when its last snippet was an expression, else nothing. */
    public record Result(boolean hasValue, Object value) {
        public static final Result NONE = new Result(false, null);
    }

    private final ValueKeepingExecutionControl control = new ValueKeepingExecutionControl();
    private final JShell shell;
    private final List<Path> classpath = new ArrayList<>();

    /** Starts JShell with the given compiler options (e.g. from {@code IJAVA_COMPILER_OPTS}) and the default imports. */
    public JavaEvaluator(List<String> compilerOptions) throws Exception {
        this.shell = JShell.builder()
                .executionEngine(new ValueKeepingExecutionControlProvider(control), null)
                .compilerOptions(compilerOptions.toArray(String[]::new))
                .build();
        for (String imp : DEFAULT_IMPORTS) {
            eval("import " + imp + ";");
        }
    }

    /** Makes a jar or class directory visible to later snippets, both to the compiler and at run time. */
    public synchronized void addToClasspath(Path entry) {
        Path absolute = entry.toAbsolutePath().normalize();
        if (!classpath.contains(absolute)) {
            shell.addToClasspath(absolute.toString());
            classpath.add(absolute);
        }
    }

    /** The entries added so far, in order. */
    public synchronized List<Path> classpath() {
        return List.copyOf(classpath);
    }

    /**
     * Evaluates every snippet of {@code code} in order; stops at the first failure.
     *
     * @return the last snippet's value if it was an expression written without a trailing semicolon,
     *         else {@link Result#NONE}
     * @throws CompilationException if a snippet does not compile
     * @throws Exception the snippet's own exception, or an {@link EvaluationException}
     */
    public synchronized Result eval(String code) throws Exception {
        control.cellStarted();
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        Result result = Result.NONE;
        String remaining = code;
        while (!remaining.isBlank()) {
            if (control.cellStopped()) {
                throw new EvaluationException("interrupted: the cell was stopped before '" + firstLine(remaining) + "'");
            }
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            SourceCodeAnalysis.Completeness completeness = info.completeness();
            if (completeness == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            String source;
            if (completeness.isComplete()) {
                source = info.source();
                remaining = info.remaining();
            } else {
                // An unfinished snippet (unbalanced braces, a missing semicolon the analyser cannot add):
                // compile it anyway so the user sees the compiler's own message.
                source = remaining;
                remaining = "";
            }
            result = evalSnippet(source);
            // As in IPython, a trailing semicolon hides the value: "chart" shows it, "display(chart);" does not.
            if (endsWithSemicolon(source)) {
                result = Result.NONE;
            }
        }
        return result;
    }

    private Result evalSnippet(String source) throws Exception {
        List<SnippetEvent> events = shell.eval(source);
        Result result = Result.NONE;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue; // an update of an earlier snippet that this one caused
            }
            Snippet snippet = event.snippet();
            if (event.status() == Snippet.Status.REJECTED) {
                throw new CompilationException(describeErrors(snippet));
            }
            if (event.exception() != null) {
                throw failure(event, snippet);
            }
            Object value = control.takeLastValue();
            if (isValueSnippet(snippet)) {
                result = new Result(true, value);
            }
        }
        return result;
    }

    private Exception failure(SnippetEvent event, Snippet snippet) {
        Throwable thrown = control.takeLastThrowable();
        if (event.exception() instanceof UnresolvedReferenceException unresolved) {
            String missing = shell.unresolvedDependencies(unresolved.getSnippet())
                    .collect(Collectors.joining(", "));
            return new EvaluationException("'" + firstLine(unresolved.getSnippet().source())
                    + "' cannot run until these are defined: " + missing);
        }
        if (thrown == null) {
            // Should not happen: JShell saw an exception that did not come through our control.
            EvalException eval = (EvalException) event.exception();
            return new EvaluationException(eval.getExceptionClassName() + ": " + eval.getMessage(), eval);
        }
        if (control.wasStopped()) {
            return new EvaluationException("interrupted: the cell was stopped (" + thrown + ")");
        }
        trimToCellFrames(thrown);
        if (thrown instanceof Exception exception) {
            return exception;
        }
        return new EvaluationException(describe(thrown), thrown);
    }

    /**
     * The error and, when it has one, its root cause: an {@link ExceptionInInitializerError} has no message of
     * its own, and the reply's one line is what a notebook shows first (ND4J failing to load its native
     * libraries surfaced only as "java.lang.ExceptionInInitializerError").
     */
    static String describe(Throwable thrown) {
        Throwable root = thrown;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 32; depth++) {
            root = root.getCause();
        }
        return root == thrown ? thrown.toString() : thrown + ", caused by " + root;
    }

    /**
     * Cuts the stack below the cell's own frames (JShell wraps snippets in classes of package
     * {@code REPL}); what is left is the library's frames and the cell's.
     */
    static void trimToCellFrames(Throwable thrown) {
        StackTraceElement[] stack = thrown.getStackTrace();
        int last = -1;
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().startsWith("REPL.")) {
                last = i;
            }
        }
        if (last >= 0 && last < stack.length - 1) {
            StackTraceElement[] trimmed = new StackTraceElement[last + 1];
            System.arraycopy(stack, 0, trimmed, 0, last + 1);
            thrown.setStackTrace(trimmed);
        }
    }

    /** True if the code's last token, ignoring trailing blanks and comments, is a semicolon. */
    static boolean endsWithSemicolon(String source) {
        String code = source.stripTrailing();
        while (true) {
            if (code.endsWith("*/")) {
                int open = code.lastIndexOf("/*");
                if (open < 0) {
                    break;
                }
                code = code.substring(0, open).stripTrailing();
                continue;
            }
            int lineStart = code.lastIndexOf('\n') + 1;
            int comment = lineCommentStart(code, lineStart);
            if (comment < 0) {
                break;
            }
            code = code.substring(0, comment).stripTrailing();
        }
        return code.endsWith(";");
    }

    /** Index of a {@code //} comment in the line starting at {@code from}, ignoring ones inside string or char literals; -1 if none. */
    private static int lineCommentStart(String code, int from) {
        char quote = 0;
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '/' && i + 1 < code.length() && code.charAt(i + 1) == '/') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isValueSnippet(Snippet snippet) {
        if (snippet.kind() == Snippet.Kind.EXPRESSION) {
            return true;
        }
        return snippet instanceof VarSnippet
                && snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private List<String> describeErrors(Snippet snippet) {
        List<String> lines = new ArrayList<>();
        String source = snippet.source();
        shell.diagnostics(snippet).filter(Diag::isError).forEach(diag -> {
            lines.add("error: " + diag.getMessage(Locale.ROOT));
            long pos = diag.getPosition();
            if (pos >= 0 && pos <= source.length()) {
                int start = source.lastIndexOf('\n', (int) Math.max(0, pos - 1)) + 1;
                if (pos == 0) {
                    start = 0;
                }
                int end = source.indexOf('\n', (int) pos);
                if (end < 0) {
                    end = source.length();
                }
                lines.add("    " + source.substring(start, end));
                lines.add("    " + " ".repeat((int) pos - start) + "^");
            }
        });
        if (lines.isEmpty()) {
            lines.add("error: snippet rejected: " + firstLine(source));
        }
        return lines;
    }

    private static String firstLine(String source) {
        String stripped = source.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline) + " ...";
    }

    /**
     * Stops the cell {@link #eval} runs now, if any (callable from another thread): the snippet running, and the
     * cell's later snippets.
     */
    public void interrupt() {
        control.stopCell();
    }

    /** Whether one of the cell's snippets is running now (not being analysed or compiled). */
    boolean runningSnippet() {
        return control.running();
    }

    /** JShell's completion suggestions at {@code cursor}; {@code anchor[0]} receives where the replacement starts. */
    public synchronized List<String> complete(String code, int cursor, int[] anchor) {
        return shell.sourceCodeAnalysis().completionSuggestions(code, cursor, anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation)
                .distinct()
                .toList();
    }

    /** JShell's view of whether {@code code} is a complete input. */
    public synchronized SourceCodeAnalysis.Completeness completeness(String code) {
        return shell.sourceCodeAnalysis().analyzeCompletion(code).completeness();
    }

    @Override
    public synchronized void close() {
        shell.close();
    }
}

package org.umedsam.kernel;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import jdk.jshell.SourceCodeAnalysis;
import org.umedsam.kernel.runtime.Display;

/**
 * The Jupyter kernel "java": IJava's user-facing behaviour on jupyter-jvm-basekernel. Cells run in
 * JShell inside this JVM; {@code %jars} and {@code %classpath} extend the class path;
 * {@code display(Object)} is statically imported into every cell; a cell whose last snippet is an
 * expression shows its value (images and XChart charts as pictures).
 */
public final class JavaKernel extends BaseKernel {
    private final KernelSettings settings;
    private final DisplayRenderer displayRenderer = new DisplayRenderer();
    private final LineMagics magics = new LineMagics();
    private final LanguageInfo languageInfo = new LanguageInfo("Java", Runtime.version().toString(),
            "text/x-java-source", ".jshell", "java", "java", "script");
    private volatile JavaEvaluator evaluator;
    private final List<String> startupProblems = new ArrayList<>();

    public JavaKernel(KernelSettings settings) {
        this.settings = settings;
        magics.register("jars", args -> addToClasspath(args, "%jars"));
        magics.register("classpath", args -> addToClasspath(args, "%classpath"));
    }

    /**
     * Starts JShell, puts this kernel's runtime and {@code IJAVA_CLASSPATH} on its class path and runs
     * the startup scripts. Problems are kept and reported by the first cell, so a broken install fails
     * loudly. Called once; {@link #eval} calls it if nobody did.
     */
    public synchronized void start() throws Exception {
        if (evaluator != null) {
            return;
        }
        evaluator = new JavaEvaluator(settings.compilerOptions());
        Display.install(new Display.Sink() {
            @Override
            public DisplayData render(Object value, String... mimeTypes) {
                return renderValue(value, mimeTypes);
            }

            @Override
            public void display(DisplayData data) {
                JavaKernel.this.display(data);
            }

            @Override
            public void updateDisplay(String id, DisplayData data) {
                getIO().display.updateDisplay(id, data);
            }
        });
        evaluator.addToClasspath(runtimeLocation());
        evaluator.eval("import static " + Display.class.getName() + ".*;");
        for (String entry : ClasspathEntries.split(settings.classpath())) {
            try {
                ClasspathEntries.expand(entry, settings.workingDirectory()).forEach(evaluator::addToClasspath);
            } catch (IOException e) {
                startupProblems.add(KernelSettings.CLASSPATH + ": " + e.getMessage());
            }
        }
        for (String entry : ClasspathEntries.split(settings.startupScriptsPath())) {
            try {
                for (Path script : ClasspathEntries.expand(entry, settings.workingDirectory())) {
                    runStartupCode(Files.readString(script), script.toString());
                }
            } catch (IOException e) {
                startupProblems.add(KernelSettings.STARTUP_SCRIPTS_PATH + ": " + e.getMessage());
            }
        }
        if (!settings.startupScript().isBlank()) {
            runStartupCode(settings.startupScript(), KernelSettings.STARTUP_SCRIPT);
        }
        for (String problem : startupProblems) {
            System.err.println("umedsam kernel: " + problem);
        }
    }

    private void runStartupCode(String code, String origin) {
        try {
            evaluator.eval(magics.apply(code));
        } catch (Exception e) {
            startupProblems.add("startup script " + origin + " failed: " + e);
        }
    }

    private static Path runtimeLocation() throws URISyntaxException {
        return Path.of(Display.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private void addToClasspath(List<String> args, String magic) throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(magic + " needs at least one path");
        }
        List<Path> paths = new ArrayList<>();
        for (String arg : args) {
            paths.addAll(ClasspathEntries.expand(arg, settings.workingDirectory()));
        }
        paths.forEach(evaluator::addToClasspath);
    }

    private synchronized JavaEvaluator evaluator() throws Exception {
        start();
        if (!startupProblems.isEmpty()) {
            String report = String.join("\n", startupProblems);
            startupProblems.clear();
            throw new EvaluationException("kernel startup failed:\n" + report);
        }
        return evaluator;
    }

    @Override
    public DisplayData eval(String code) throws Exception {
        JavaEvaluator shell = evaluator();
        JavaEvaluator.Result result = shell.eval(magics.apply(code));
        return result.hasValue() ? displayRenderer.render(result.value()) : null;
    }

    /** What cells' {@code render}/{@code display} calls use; checked exceptions become unchecked. */
    private DisplayData renderValue(Object value, String... mimeTypes) {
        try {
            return displayRenderer.render(value, mimeTypes);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot render " + value.getClass().getName() + ": " + e, e);
        }
    }

    /** The class path entries cells see (after {@link #start()}), in order. */
    public List<Path> classpath() throws Exception {
        return evaluator().classpath();
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " (umedsam kernel; magics: %jars, %classpath)";
    }

    @Override
    public ReplacementOptions complete(String code, int at) throws Exception {
        int[] anchor = new int[1];
        List<String> options = evaluator().complete(code, at, anchor);
        return options.isEmpty() ? null : new ReplacementOptions(options, anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        SourceCodeAnalysis.Completeness completeness;
        try {
            completeness = evaluator().completeness(code);
        } catch (Exception e) {
            return IS_COMPLETE_MAYBE;
        }
        return switch (completeness) {
            case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> IS_COMPLETE_YES;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "";
            case UNKNOWN -> IS_COMPLETE_BAD;
        };
    }

    /** The notebook's interrupt: stops the running cell (see {@link ValueKeepingExecutionControl#stop()}). */
    @Override
    public void interrupt() {
        JavaEvaluator current = evaluator; // no lock: the cell being interrupted holds the kernel's
        if (current != null) {
            current.interrupt();
        }
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        Display.install(null);
        synchronized (this) {
            if (evaluator != null) {
                evaluator.close();
            }
        }
    }
}

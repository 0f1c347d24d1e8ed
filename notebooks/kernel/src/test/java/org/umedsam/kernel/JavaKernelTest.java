package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.tools.ToolProvider;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaKernelTest {
    @TempDir
    Path dir;

    /** Compiles {@code source} (class {@code demo.Answer}) into {@code dir/classes}. */
    private Path compileDemoClass() throws Exception {
        Path src = dir.resolve("src/demo/Answer.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package demo; public class Answer { public static int value() { return 42; } }");
        Path classes = dir.resolve("classes");
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString());
        assertThat(rc).isZero();
        return classes;
    }

    @Test
    void evaluatesCellsAndRendersImageResults() throws Exception {
        JavaKernel kernel = new JavaKernel(KernelSettings.defaults());
        try {
            DisplayData text = kernel.eval("int a = 6;\na * 7");
            DisplayData image = kernel.eval("new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_ARGB)");

            assertThat(text.getData(MIMEType.parse("text/plain"))).isEqualTo("42");
            assertThat(image.hasDataForType(MIMEType.parse("image/png"))).isTrue();
            assertThat(kernel.eval("int none = 0;")).isNull();
        } finally {
            kernel.onShutdown(false);
        }
    }

    @Test
    void displayIsImportedIntoCellsAndReturnsAnId() throws Exception {
        JavaKernel kernel = new JavaKernel(KernelSettings.defaults());
        try {
            // Without a Jupyter connection the output goes nowhere, but the call must compile and run.
            DisplayData id = kernel.eval("display(new java.awt.image.BufferedImage(2, 2, 1))");
            DisplayData hidden = kernel.eval("display(\"text\");");

            assertThat(hidden).isNull();
            // IJava's other runtime calls compile and run too
            assertThat(kernel.eval("render(new java.awt.image.BufferedImage(2, 2, 1), \"image/png\").hasDataForType("
                    + "io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.parse(\"image/png\"))")
                    .getData(MIMEType.parse("text/plain"))).isEqualTo("true");
            assertThat(kernel.eval("String shownId = display(\"first\");\nupdateDisplay(shownId, \"second\");\nprintf(\"%d%n\", 3);"))
                    .isNull();

            assertThat((String) id.getData(MIMEType.parse("text/plain"))).hasSize(36);
        } finally {
            kernel.onShutdown(false);
        }
    }

    @Test
    void classpathMagicAndEnvironmentVariableAddClasses() throws Exception {
        Path classes = compileDemoClass();
        JavaKernel viaMagic = new JavaKernel(new KernelSettings("", "", "", List.of(), dir));
        try {
            assertThatThrownBy(() -> viaMagic.eval("demo.Answer.value()")).isInstanceOf(CompilationException.class);
            assertThat(viaMagic.eval("%classpath classes\ndemo.Answer.value()").getData(MIMEType.parse("text/plain")))
                    .isEqualTo("42");
            assertThatThrownBy(() -> viaMagic.eval("%jars missing/*.jar"))
                    .hasMessageContaining("missing/*.jar");
        } finally {
            viaMagic.onShutdown(false);
        }

        KernelSettings fromEnv = KernelSettings.fromEnvironment(
                Map.of(KernelSettings.CLASSPATH, classes.toString(),
                        KernelSettings.STARTUP_SCRIPT, "int fromStartup = demo.Answer.value() + 1;"),
                dir);
        JavaKernel viaEnv = new JavaKernel(fromEnv);
        try {
            assertThat(viaEnv.eval("fromStartup").getData(MIMEType.parse("text/plain"))).isEqualTo("43");
            assertThat(viaEnv.classpath()).contains(classes);
        } finally {
            viaEnv.onShutdown(false);
        }
    }

    @Test
    void startupScriptsRunInOrderAndTheirFailuresFailTheFirstCell() throws Exception {
        Files.writeString(dir.resolve("1-first.jshell"), "int first = 1;");
        Files.writeString(dir.resolve("2-second.jshell"), "int second = first + 1;");
        KernelSettings ok = new KernelSettings("", "*.jshell", "", List.of(), dir);
        JavaKernel kernel = new JavaKernel(ok);
        try {
            assertThat(kernel.eval("second").getData(MIMEType.parse("text/plain"))).isEqualTo("2");
        } finally {
            kernel.onShutdown(false);
        }

        KernelSettings broken = new KernelSettings("nowhere.jar", "", "throw new IllegalStateException(\"no\");",
                List.of(), dir);
        JavaKernel failing = new JavaKernel(broken);
        try {
            assertThatThrownBy(() -> failing.eval("1"))
                    .isInstanceOf(EvaluationException.class)
                    .hasMessageContaining("IJAVA_CLASSPATH").hasMessageContaining("nowhere.jar")
                    .hasMessageContaining("IllegalStateException: no");
            // reported once; later cells run
            assertThat(failing.eval("1 + 1").getData(MIMEType.parse("text/plain"))).isEqualTo("2");
        } finally {
            failing.onShutdown(false);
        }
    }

    @Test
    void completionAndCompletenessComeFromJShell() throws Exception {
        JavaKernel kernel = new JavaKernel(KernelSettings.defaults());
        try {
            var options = kernel.complete("StringBuil", 10);

            assertThat(options.getReplacements()).contains("StringBuilder");
            assertThat(options.getSourceStart()).isZero();
            assertThat(kernel.isComplete("int done = 1;")).isEqualTo("complete");
            assertThat(kernel.isComplete("for (int i = 0; i < 3; i++) {")).isEqualTo("");
        } finally {
            kernel.onShutdown(false);
        }
    }

    @Test
    void languageInfoNamesJava() {
        JavaKernel kernel = new JavaKernel(KernelSettings.defaults());
        assertThat(kernel.getLanguageInfo().getName()).isEqualTo("Java");
        assertThat(kernel.getLanguageInfo().getFileExtension()).isEqualTo(".jshell");
        assertThat(File.pathSeparator).isNotEmpty();
    }
}

package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class JavaEvaluatorTest {
    private static JavaEvaluator shell;

    @BeforeAll
    static void startShell() throws Exception {
        shell = new JavaEvaluator(List.of());
    }

    @AfterAll
    static void closeShell() {
        shell.close();
    }

    @Test
    void lastExpressionIsReturnedAsARealObject() throws Exception {
        JavaEvaluator.Result result = shell.eval("int base = 40;\nbase + 2");

        assertThat(result.hasValue()).isTrue();
        assertThat(result.value()).isEqualTo(42);
    }

    @Test
    void imagesComeBackAsTheImageItself() throws Exception {
        Object value = shell.eval("new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB)").value();

        assertThat(value).isInstanceOf(BufferedImage.class);
        assertThat(((BufferedImage) value).getWidth()).isEqualTo(3);
    }

    @Test
    void statementsAndDeclarationsHaveNoValue() throws Exception {
        assertThat(shell.eval("int unused = 5;").hasValue()).isFalse();
        assertThat(shell.eval("System.out.print(\"\");").hasValue()).isFalse();
        assertThat(shell.eval("   \n").hasValue()).isFalse();
    }

    @Test
    void aTrailingSemicolonHidesTheValue() throws Exception {
        assertThat(shell.eval("\"shown\"").hasValue()).isTrue();
        assertThat(shell.eval("\"hidden\";").hasValue()).isFalse();
        assertThat(shell.eval("String s = \"v\";\ns.length()").value()).isEqualTo(1);
        assertThat(shell.eval("s.length(); // a comment\n/* and another */").hasValue()).isFalse();
        assertThat(shell.eval("\"a;\" // not \"b\";").hasValue()).isTrue();
    }

    @Test
    void defaultImportsAreThere() throws Exception {
        assertThat(shell.eval("List<Integer> xs = new ArrayList<>(List.of(3, 1, 2)); Collections.sort(xs); xs").value())
                .isEqualTo(List.of(1, 2, 3));
    }

    @Test
    void laterCellsSeeEarlierDefinitions() throws Exception {
        shell.eval("String greet(String who) { return \"hello \" + who; }");

        assertThat(shell.eval("greet(\"jshell\")").value()).isEqualTo("hello jshell");
    }

    @Test
    void aThrowingCellRaisesTheRealExceptionTrimmedToTheCellsFrames() {
        assertThatThrownBy(() -> shell.eval("int ok = 1;\nif (ok == 1) throw new IllegalStateException(\"bad state \" + ok);"))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("bad state 1")
                .satisfies(e -> assertThat(e.getStackTrace()[e.getStackTrace().length - 1].getClassName())
                        .startsWith("REPL."));
    }

    @Test
    void libraryExceptionsKeepTheirClass() {
        assertThatThrownBy(() -> shell.eval("Integer.parseInt(\"x1\")"))
                .isExactlyInstanceOf(NumberFormatException.class)
                .hasMessageContaining("x1");
    }

    @Test
    void errorsThrownByACellAreWrappedNamingTheirClass() {
        assertThatThrownBy(() -> shell.eval("throw new AssertionError(\"boom\");"))
                .isInstanceOf(EvaluationException.class)
                .hasMessage("java.lang.AssertionError: boom")
                .hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    void anErrorsMessageNamesItsRootCause() {
        // as a class whose static initialiser fails: the error has no message, its cause says what went wrong
        assertThatThrownBy(() -> shell.eval(
                "throw new ExceptionInInitializerError(new IllegalStateException(\"no native library\"));"))
                .isInstanceOf(EvaluationException.class)
                .hasMessage("java.lang.ExceptionInInitializerError, caused by java.lang.IllegalStateException: no native library")
                .hasCauseInstanceOf(ExceptionInInitializerError.class);
    }

    @Test
    void compileErrorsListTheCompilersMessageAndLine() {
        assertThatThrownBy(() -> shell.eval("int fine = 1;\nint y = undefinedThing + 1;"))
                .isInstanceOf(CompilationException.class)
                .hasMessageContaining("cannot find symbol")
                .hasMessageContaining("int y = undefinedThing + 1;")
                .hasMessageContaining("^");
    }

    @Test
    void theFirstFailureStopsTheCell() throws Exception {
        shell.eval("int counter = 0;");

        assertThatThrownBy(() -> shell.eval("counter = 1;\nthrow new RuntimeException(\"stop\");\ncounter = 2;"))
                .hasMessage("stop");
        assertThat(shell.eval("counter").value()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a cell that did not stop holds the shell
    void interruptStopsARunningCellAndTheShellGoesOn() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread cell = new Thread(() -> {
            try {
                shell.eval("long spins = 0;\nwhile (true) { spins++; }");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        cell.start();
        Thread.sleep(500);
        shell.interrupt();
        cell.join(10_000);

        assertThat(cell.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(EvaluationException.class).hasMessageStartingWith("interrupted");
        assertThat(shell.eval("spins > 0").value()).isEqualTo(true);
        assertThat(shell.eval("Thread.currentThread().isInterrupted()").value()).isEqualTo(false);
    }

    @Test
    void theCellRunsWithItsOwnClassLoaderAsContextLoader() throws Exception {
        Object loader = shell.eval("Thread.currentThread().getContextClassLoader() == new Object(){}.getClass().getClassLoader()").value();

        assertThat(loader).isEqualTo(true);
    }
}

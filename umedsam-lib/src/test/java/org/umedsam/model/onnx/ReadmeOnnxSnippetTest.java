package org.umedsam.model.onnx;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.Prediction;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Java snippet for running the exported model ("Deploying with ONNX"), compiled and run as printed
 * against a model written by {@link OnnxExport#write}: its masks must be the CPU engine's (logits within 1e-3, as
 * {@link OnnxExportTest}). Why: a snippet that no longer compiles, names an input or output the export does not
 * have, or gives other masks would otherwise be found by a user first.
 *
 * <p>Three substitutions, each checked to apply exactly where expected: the {@code "onnx/} paths point into a
 * temporary folder, and the snippet's {@code boxes} and {@code logits} locals become fields of the wrapping
 * class, so the test can decode the same boxes with the engine and compare.
 */
class ReadmeOnnxSnippetTest {

    private static final Path README = Path.of("..", "README.md");
    /** The line that introduces the snippet in the README. */
    private static final String INTRODUCTION = "Java (`com.microsoft.onnxruntime:onnxruntime` from Maven Central):";
    private static final String CLASS = "ReadmeOnnxSnippet";

    @TempDir
    Path dir;

    @Test
    void theReadmesJavaSnippetRunsTheExportAndGivesTheEnginesMasks() throws Exception {
        LiteMedSam model = OnnxExportTest.perturbed(ModelConfig.small(), 11);
        Path onnx = dir.resolve("onnx");
        OnnxExport.write(model, onnx);

        String snippet = snippet(Files.readString(README, StandardCharsets.UTF_8));
        String body = replaceExactly(snippet, "\"onnx/", "\"" + onnx.toAbsolutePath().toString().replace("\\", "/") + "/", 2);
        body = replaceExactly(body, "float[] boxes = {", "boxes = new float[] {", 1);
        body = replaceExactly(body, "FloatBuffer logits = ", "logits = ", 1);
        String source = "import ai.onnxruntime.*;\nimport java.nio.FloatBuffer;\nimport java.util.Map;\n"
                + "public class " + CLASS + " {\n"
                + "    public static float[] boxes;\n"
                + "    public static FloatBuffer logits;\n"
                + "    public static void run(float[] pixels) throws Exception {\n" + body + "\n    }\n}\n";

        int side = ModelConfig.small().imageSize();
        float[] pixels = new float[3 * side * side];
        Random r = new Random(5);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = r.nextFloat();
        }
        float[] boxes;
        FloatBuffer logits;
        Class<?> compiled = compile(source);
        try (URLClassLoader loader = (URLClassLoader) compiled.getClassLoader()) {
            Method run = compiled.getMethod("run", float[].class);
            run.invoke(null, (Object) pixels);
            boxes = (float[]) compiled.getField("boxes").get(null);
            logits = (FloatBuffer) compiled.getField("logits").get(null);
        }

        assertThat(boxes).as("the snippet's boxes").hasSize(8);
        INDArray image = Nd4j.create(pixels, new long[]{1, 3, side, side}, 'c');
        Prediction ref = model.decode(model.embed(image), Nd4j.create(boxes, new long[]{2, 4}, 'c'), false);
        float[] fromSnippet = new float[logits.remaining()];
        logits.get(fromSnippet);
        double err = OnnxExportTest.maxAbsDiff(fromSnippet, ref.masks());
        System.out.printf("README ONNX snippet: %d logits, max |snippet - CPU engine| %.3e%n", fromSnippet.length, err);
        assertThat(err).isLessThanOrEqualTo(1e-3);
    }

    /** The first {@code ```java} block after {@link #INTRODUCTION}. */
    static String snippet(String readme) {
        int at = readme.indexOf(INTRODUCTION);
        assertThat(at).as("README.md has the line '%s'", INTRODUCTION).isNotNegative();
        Matcher m = Pattern.compile("```java\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find(at)).as("a ```java block after '%s' in README.md", INTRODUCTION).isTrue();
        return m.group(1);
    }

    /** {@code text} with {@code target} replaced, which must occur exactly {@code times} times. */
    static String replaceExactly(String text, String target, String replacement, int times) {
        int count = text.split(Pattern.quote(target), -1).length - 1;
        assertThat(count).as("occurrences of '%s' in the README's snippet", target).isEqualTo(times);
        return text.replace(target, replacement);
    }

    /**
     * Compiles {@code source} (class {@link #CLASS}) against ONNX Runtime's jar and loads it beside this test, in a
     * class loader of its own that the caller closes.
     */
    private Class<?> compile(String source) throws Exception {
        Path src = dir.resolve("src").resolve(CLASS + ".java");
        Path out = dir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(out);
        Files.writeString(src, source, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (tests run on a JDK)").isNotNull();
        String ortJar = Path.of(OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics, List.of("-classpath", ortJar, "-d", out.toString()),
                    null, files.getJavaFileObjects(src)).call();
            assertThat(ok).as("the README's snippet compiles: %s", diagnostics.getDiagnostics()).isTrue();
        }
        // parent: this test's loader, so ONNX Runtime's classes (and its native library) are the ones already loaded
        URLClassLoader loader = new URLClassLoader(new java.net.URL[]{out.toUri().toURL()}, getClass().getClassLoader());
        return Class.forName(CLASS, true, loader);
    }
}

package org.umedsam.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU engine computes the same in a fresh JVM of this JDK and of every other JDK 17 or later installed under
 * {@code /usr/lib/jvm} (or named by {@code -Dumedsam.test.jdks=<home>,<home>}): {@link CrossJdkOutputs} run in a child
 * JVM with the Vector API's module, against the same computed here. A training pass's outputs and gradients must
 * have the same bits (the determinism a resumed run relies on); inference within the tolerances the engine keeps
 * against SameDiff (its LayerNorm and decoder rows in native memory take their plain form on a JDK whose Vector API
 * has no {@code ByteBuffer} loads, and round differently there).
 *
 * <p>Why: until 2026-12-07 every embedding failed on Temurin 25 ({@code NoSuchMethodError}: the Vector API of JDKs
 * after 17 has no {@code FloatVector.fromByteBuffer}), and nothing ran the engine on another JDK.
 */
class CrossJdkTest {

    @TempDir
    Path dir;

    @Test
    void everyInstalledJdkComputesWhatThisOneDoes() throws Exception {
        Map<String, float[]> here = CrossJdkOutputs.compute();
        List<Path> homes = new ArrayList<>();
        homes.add(Path.of(System.getProperty("java.home")));
        homes.addAll(otherJdks());
        for (Path home : homes) {
            Map<String, float[]> there = runChild(home);
            assertThat(there.keySet()).as(home.toString()).containsExactlyElementsOf(here.keySet());
            for (Map.Entry<String, float[]> e : here.entrySet()) {
                String what = home + ": " + e.getKey();
                float[] a = e.getValue();
                float[] b = there.get(e.getKey());
                if (e.getKey().startsWith("training.")) {
                    assertThat(b).as(what).isEqualTo(a);
                } else {
                    assertThat(b).as(what).hasSameSizeAs(a);
                    double tolerance = e.getKey().equals("inference.masks") ? 1e-3 : 1e-4;
                    assertThat(maxAbsDifference(a, b)).as(what).isLessThan(tolerance);
                }
            }
        }
    }

    private Map<String, float[]> runChild(Path home) throws IOException, InterruptedException {
        Path out = dir.resolve("outputs-" + home.getFileName());
        Path log = dir.resolve("log-" + home.getFileName());
        Process p = new ProcessBuilder(home.resolve("bin/java").toString(), "--add-modules", "jdk.incubator.vector",
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), CrossJdkOutputs.class.getName(), out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended && p.exitValue() == 0).as(home + " printed:\n" + printed).isTrue();
        System.out.println(home + ": " + printed.strip().lines().reduce((x, y) -> y).orElse(""));
        return CrossJdkOutputs.read(out);
    }

    /** JDK homes other than this JVM's (by real path), feature version 17 or later. */
    static List<Path> otherJdks() throws IOException {
        Path self = Path.of(System.getProperty("java.home")).toRealPath();
        List<Path> candidates = new ArrayList<>();
        String named = System.getProperty("umedsam.test.jdks", "");
        if (!named.isBlank()) {
            for (String s : named.split(",")) {
                candidates.add(Path.of(s.strip()));
            }
        } else if (Files.isDirectory(Path.of("/usr/lib/jvm"))) {
            try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
                s.sorted().forEach(candidates::add);
            }
        }
        Map<Path, Path> byRealPath = new LinkedHashMap<>();
        for (Path c : candidates) {
            if (!Files.isExecutable(c.resolve("bin/java")) || featureVersion(c) < 17) {
                continue;
            }
            Path real = c.toRealPath();
            if (!real.equals(self)) {
                byRealPath.putIfAbsent(real, c);
            }
        }
        return new ArrayList<>(byRealPath.values());
    }

    /** {@code JAVA_VERSION} of a JDK's {@code release} file, its first number; 0 when unreadable. */
    static int featureVersion(Path home) {
        Properties p = new Properties();
        try (var in = Files.newInputStream(home.resolve("release"))) {
            p.load(in);
        } catch (IOException e) {
            return 0;
        }
        String v = p.getProperty("JAVA_VERSION", "").replace("\"", "");
        String first = v.split("[.+-]")[0];
        return first.matches("\\d+") ? Integer.parseInt(first) : 0;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}

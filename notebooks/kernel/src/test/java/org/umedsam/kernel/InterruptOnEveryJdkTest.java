package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interrupt button stops a cell that spins in its own loop on every JDK 17 or later installed under
 * {@code /usr/lib/jvm} (or named by {@code -Dumedsam.test.jdks=<home>,<home>}), this one included, each in a child
 * JVM ({@link InterruptCheck}): JDK 17 stops the cell's thread with {@code Thread.stop}, later JDKs have none and
 * need JShell's compiled stop checks ({@link ValueKeepingExecutionControl}). On Temurin 25 the cell ran on until
 * 2026-12-07.
 */
class InterruptOnEveryJdkTest {

    @TempDir
    Path dir;

    @Test
    void aSpinningCellStopsOnEveryInstalledJdk() throws Exception {
        for (Path home : jdks()) {
            Path log = dir.resolve("log-" + home.getFileName());
            Process p = new ProcessBuilder(home.resolve("bin/java").toString(), "-cp",
                    System.getProperty("java.class.path"), InterruptCheck.class.getName())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean ended = p.waitFor(2, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(home + ": " + printed.strip());
            assertThat(ended && p.exitValue() == 0).as(home + " printed:\n" + printed).isTrue();
        }
    }

    /** This JVM's home, then every other JDK home of feature version 17 or later, each once by real path. */
    private static List<Path> jdks() throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        String named = System.getProperty("umedsam.test.jdks", "");
        if (!named.isBlank()) {
            Stream.of(named.split(",")).map(s -> Path.of(s.strip())).forEach(candidates::add);
        } else if (Files.isDirectory(Path.of("/usr/lib/jvm"))) {
            try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
                s.sorted().forEach(candidates::add);
            }
        }
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> homes = new ArrayList<>();
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("bin/java")) && featureVersion(c) >= 17 && seen.add(c.toRealPath())) {
                homes.add(c);
            }
        }
        return homes;
    }

    /** {@code JAVA_VERSION}'s first number in a JDK's {@code release} file; 0 when unreadable. */
    private static int featureVersion(Path home) {
        Properties p = new Properties();
        try (var in = Files.newInputStream(home.resolve("release"))) {
            p.load(in);
        } catch (IOException e) {
            return 0;
        }
        String first = p.getProperty("JAVA_VERSION", "").replace("\"", "").split("[.+-]")[0];
        return first.matches("\\d+") ? Integer.parseInt(first) : 0;
    }
}

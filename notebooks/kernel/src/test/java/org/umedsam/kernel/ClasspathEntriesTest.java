package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathEntriesTest {
    @TempDir
    Path dir;

    private Path touch(String name) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        return p;
    }

    @Test
    void starExpandsToTheJarsOfADirectorySorted() throws IOException {
        Path b = touch("lib/b.jar");
        Path a = touch("lib/a.jar");
        touch("lib/notes.txt");
        Files.createDirectories(dir.resolve("lib/sub.jar.d"));

        assertThat(ClasspathEntries.expand("lib/*", dir)).containsExactly(a, b);
    }

    @Test
    void globInLastSegmentMatchesFileNames() throws IOException {
        Path main = touch("target/umedsam-lib-0.1.jar");
        touch("target/other-0.1.jar");

        assertThat(ClasspathEntries.expand(dir.resolve("target/umedsam-lib-*.jar").toString(), Path.of("/")))
                .containsExactly(main);
    }

    @Test
    void plainPathsPassThroughAndRelativeOnesResolveAgainstTheBase() throws IOException {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);

        assertThat(ClasspathEntries.expand("classes", dir)).containsExactly(classes);
    }

    @Test
    void missingEntriesAndEmptyGlobsAreErrorsNamingTheEntry() throws IOException {
        Files.createDirectories(dir.resolve("empty"));

        assertThatThrownBy(() -> ClasspathEntries.expand("nope.jar", dir))
                .isInstanceOf(IOException.class).hasMessageContaining("nope.jar");
        assertThatThrownBy(() -> ClasspathEntries.expand("empty/*", dir))
                .isInstanceOf(IOException.class).hasMessageContaining("matches no file");
        assertThatThrownBy(() -> ClasspathEntries.expand("*/x.jar", dir))
                .isInstanceOf(IOException.class).hasMessageContaining("last path segment");
    }

    @Test
    void listsSplitOnThePathSeparatorAndDropBlanks() throws IOException {
        Path a = touch("a.jar");
        Path c = touch("c/c.jar");
        String list = "a.jar" + File.pathSeparator + " " + File.pathSeparator + "c/*";

        assertThat(ClasspathEntries.split(list)).containsExactly("a.jar", "c/*");
        assertThat(ClasspathEntries.expandAll(list, dir)).containsExactly(a, c);
        assertThat(ClasspathEntries.split(null)).isEmpty();
    }
}

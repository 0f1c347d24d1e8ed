package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write through {@link AtomicFiles} either replaces the file whole or leaves it, and never a temporary, as it was. */
class AtomicFilesTest {

    private static String[] names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scores.csv");
        AtomicFiles.writeString(file, "old\n");
        assertThatThrownBy(() -> AtomicFiles.write(file, tmp -> {
            Files.writeString(tmp, "half");
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(file)).isEqualTo("old\n");
        assertThat(names(dir)).containsExactly("scores.csv");
    }

    @Test
    void aFailedArrayWriteLeavesTheOldArchive(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("case.npz");
        Npz.write(file, Map.of("a", NpyArray.ofUint8(new byte[] {1, 2}, 2)), false);
        byte[] before = Files.readAllBytes(file);
        Map<String, NpyArray> bad = new java.util.LinkedHashMap<>();
        bad.put("a", NpyArray.ofUint8(new byte[] {3, 4}, 2));
        bad.put("b", null); // fails after the first entry was written to the temporary
        assertThatThrownBy(() -> Npz.write(file, bad, false)).isInstanceOf(RuntimeException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("case.npz");
    }

    @Test
    void writesCreateTheFolderAndReplaceTheFileWhole(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a/b/model.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        AtomicFiles.write(file, new byte[] {4});
        assertThat(Files.readAllBytes(file)).containsExactly(4);
        AtomicFiles.writeString(file, "é\n");
        assertThat(Files.readAllBytes(file)).isEqualTo("é\n".getBytes(StandardCharsets.UTF_8));
        assertThat(names(file.getParent())).containsExactly("model.bin");
    }

    @Test
    void aTemporaryKeepsTheSuffixItWasGivenAndStaleOnesAreRemoved(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("figure.png");
        String[] seen = new String[1];
        AtomicFiles.write(file, ".tmp.png", tmp -> {
            seen[0] = tmp.getFileName().toString();
            Files.write(tmp, new byte[] {1});
        });
        assertThat(seen[0]).startsWith(".figure.png.").endsWith(".tmp.png");
        Files.writeString(dir.resolve(".run.json.123.tmp"), "{");
        assertThat(AtomicFiles.removeStaleTemporaries(dir)).isEqualTo(1);
        assertThat(names(dir)).containsExactly("figure.png");
    }
}

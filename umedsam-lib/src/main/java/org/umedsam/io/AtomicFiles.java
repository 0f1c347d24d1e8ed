package org.umedsam.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files written through a temporary sibling ({@code .NAME*.tmp} in the same folder) and a rename, so a
 * reader never sees half a file and an interrupted write leaves the old one. The one such helper for every
 * file the toolkit writes: arrays ({@link Npz}, {@link PthCheckpoint}, {@link Nifti}), run records,
 * configurations and checkpoints in {@code train}, manifests, score tables, figures, landscapes, embedding
 * caches and ONNX exports. The rename is atomic where the file system allows; elsewhere it is a plain replace.
 * A committed file has the permissions of a normally created one (mode {@code 0666} less the umask):
 * the temporary is made by {@link TempFiles}, not {@link Files#createTempFile}, whose
 * {@code rw-------} would survive the rename. The temporary is deleted whatever happens, so a failed write
 * leaves neither half a file nor a stray temporary.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes a file's content to the temporary path it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    /** Writes {@code text} as UTF-8 to {@code file}, creating its folder. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code file}, creating its folder. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, tmp -> Files.write(tmp, bytes));
    }

    /** Writes {@code file} (its folder created) by {@code content} into a temporary sibling, then renames it. */
    public static void write(Path file, Content content) throws IOException {
        write(file, ".tmp", content);
    }

    /**
     * {@link #write(Path, Content)} with a temporary named {@code .NAME*SUFFIX}, for writers that look at the
     * name (XChart appends ".png" to a name without it); {@link #removeStaleTemporaries} removes only those
     * whose suffix is {@code .tmp}.
     */
    public static void write(Path file, String suffix, Content content) throws IOException {
        Path tmp = temporarySibling(file, suffix);
        try {
            content.writeTo(tmp);
            commit(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A temporary sibling of {@code file} (its folder created) for a writer that needs a path; move it with {@link #commit}. */
    public static Path temporarySibling(Path file) throws IOException {
        return temporarySibling(file, ".tmp");
    }

    private static Path temporarySibling(Path file, String suffix) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return TempFiles.createSibling(dir, "." + file.getFileName() + ".", suffix);
    }

    /** Renames {@code tmp} onto {@code file}, replacing it; atomically where the file system can. */
    public static void commit(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes the temporaries ({@code .NAME*.tmp}) an interrupted write left in {@code dir} (not
     * recursive); call only while no writer is active there, e.g. when a run resumes.
     *
     * @return how many were deleted
     */
    public static int removeStaleTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(p)) {
                    Files.delete(p);
                    n++;
                }
            }
        }
        return n;
    }
}

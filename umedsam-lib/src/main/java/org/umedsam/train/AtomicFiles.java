package org.umedsam.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files written through a temporary sibling ({@code .NAME*.tmp} in the same folder) and a rename, so a
 * reader never sees half a file and an interrupted write leaves the old one. The one such helper: run
 * records, configurations and checkpoints here, tables and landscapes in {@code report} and
 * {@code analysis}. The rename is atomic where the file system allows; elsewhere it is a plain replace.
 * A committed file gets ordinary permissions {@code rw-r--r--}: a temporary file is created
 * {@code rw-------}, which would otherwise survive the rename.
 */
public final class AtomicFiles {
    /** {@code rw-r--r--}: readable by all, written by the owner. */
    public static final java.util.Set<java.nio.file.attribute.PosixFilePermission> ORDINARY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFiles() {
    }

    /** Sets {@link #ORDINARY} permissions on {@code file} where the file system has POSIX permissions. */
    public static void makeOrdinary(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, ORDINARY);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): its defaults already let others read
        }
    }

    /** Writes {@code text} as UTF-8 to {@code file}, creating its folder. */
    public static void writeString(Path file, String text) throws IOException {
        Path tmp = temporarySibling(file);
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            commit(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A temporary sibling of {@code file} (its folder created) for a writer that needs a path; move it with {@link #commit}. */
    public static Path temporarySibling(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    }

    /** Renames {@code tmp} onto {@code file}, replacing it; atomically where the file system can. */
    public static void commit(Path tmp, Path file) throws IOException {
        makeOrdinary(tmp);
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

package org.umedsam.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Text files written atomically: a temporary file in the same folder, then a rename. The file
 * gets ordinary permissions {@code rw-r--r--}: a temporary file is created {@code rw-------},
 * which would otherwise survive the rename.
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
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            makeOrdinary(tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

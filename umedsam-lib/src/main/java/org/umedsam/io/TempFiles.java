package org.umedsam.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The temporary siblings of atomic writes (a temporary file in the target's folder, then a rename).
 * {@link Files#createTempFile} creates {@code rw-------} whatever the umask, and the rename keeps that, so
 * checkpoints, models and tables would be unreadable to the group and others while a plain write
 * ({@code steps.csv}) is not. A temporary file made here is created like any new file (mode {@code 0666}
 * less the umask, {@code rw-r--r--} under the usual umask 022), so the file it becomes has the permissions
 * a normally written file would have.
 */
public final class TempFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TempFiles() {
    }

    /**
     * Creates a new empty file {@code prefix + random digits + suffix} in {@code dir} (which must exist) with
     * the permissions of a normally created file, as {@link Files#createTempFile(Path, String, String)} names
     * it.
     */
    public static Path createSibling(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + suffix);
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }
}

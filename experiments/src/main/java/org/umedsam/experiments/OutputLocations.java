package org.umedsam.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Checks every command makes on its output locations before any long work: the folder can be
 * created and written, it is not an input folder, no output is an input file, and no existing
 * output file is replaced unless the user said {@code --overwrite}. Errors name the option and
 * the path.
 */
final class OutputLocations {
    private OutputLocations() {
    }

    /** Refuses an output folder that exists as a file (without creating anything). */
    static void refuseNonFolder(Path dir, String option) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(option + " " + dir + ": exists and is not a folder");
        }
    }

    /** Creates {@code dir} if needed and proves it writable with a temporary file. */
    static void requireWritableFolder(Path dir, String option) throws IOException {
        refuseNonFolder(dir, option);
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".umedsam-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IOException(option + " " + dir + ": cannot write there (" + e.getMessage() + ")", e);
        }
    }

    /** The folder a file will be written into must be writable, and the file not a folder. */
    static void requireWritableFile(Path file, String option) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(option + " " + file + ": is a folder, expected a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        requireWritableFolder(parent, option);
    }

    /** Refuses an output folder that is (or resolves to) one of the input folders. */
    static void refuseSameFolder(Path output, Path input, String outputOption, String inputOption)
            throws IOException {
        if (same(output, input)) {
            throw new IOException(outputOption + " " + output + " is the " + inputOption + " folder: predictions "
                    + "would replace the input cases; choose another folder");
        }
    }

    /** Refuses outputs that are input files (e.g. a prediction named like a case in the same folder). */
    static void refuseInputs(Collection<Path> outputs, Collection<Path> inputs, String option) throws IOException {
        for (Path out : outputs) {
            for (Path in : inputs) {
                if (same(out, in)) {
                    throw new IOException(option + ": output " + out + " is the input file " + in
                            + "; it would be replaced");
                }
            }
        }
    }

    /** Refuses to replace existing files unless {@code overwrite}; names the first and the count. */
    static void refuseExisting(List<Path> outputs, boolean overwrite) throws IOException {
        if (overwrite) {
            return;
        }
        List<Path> existing = outputs.stream().filter(Files::exists).toList();
        if (!existing.isEmpty()) {
            throw new IOException(existing.get(0) + " already exists" + (existing.size() > 1 ? " (and "
                    + (existing.size() - 1) + " more outputs)" : "") + "; pass --overwrite to replace "
                    + (existing.size() > 1 ? "them" : "it"));
        }
    }

    /**
     * Runs {@code command}; when it fails and {@code dir} did not exist before it, removes {@code dir} if left empty,
     * so a run that stopped before writing anything leaves no empty output folder of its own behind.
     */
    static <T> T removingNewEmptyFolderOnFailure(Path dir, java.util.concurrent.Callable<T> command) throws Exception {
        boolean existed = Files.exists(dir);
        try {
            return command.call();
        } catch (Exception e) {
            if (!existed) {
                deleteIfEmpty(dir);
            }
            throw e;
        }
    }

    /** Removes {@code dir} when it is an empty folder (one a refused command created); quietly keeps it otherwise. */
    static void deleteIfEmpty(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (IOException | RuntimeException e) {
            // not there, not empty or not ours to remove: leave it
        }
    }

    /** Whether two paths name the same file or folder (by real path when both exist). */
    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall back to the normalised paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}

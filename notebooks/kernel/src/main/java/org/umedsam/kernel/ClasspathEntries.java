package org.umedsam.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns class path specifications into concrete files, the way IJava reads {@code IJAVA_CLASSPATH}
 * and the {@code %jars}/{@code %classpath} magics.
 *
 * <p>An entry is a plain path (file or directory), {@code dir/*} (every jar in {@code dir}, as
 * {@code java -cp} reads it), or a glob in its last segment such as {@code target/lib-*.jar}.
 * Relative entries resolve against a base directory (the kernel's working directory).
 */
public final class ClasspathEntries {
    private ClasspathEntries() {
    }

    /** Splits a {@link File#pathSeparator}-separated list (an environment variable's value), dropping blanks. */
    public static List<String> split(String list) {
        List<String> entries = new ArrayList<>();
        if (list == null) {
            return entries;
        }
        for (String part : list.split(File.pathSeparator)) {
            String trimmed = part.strip();
            if (!trimmed.isEmpty()) {
                entries.add(trimmed);
            }
        }
        return entries;
    }

    /**
     * Expands one entry into existing paths, sorted by name within a directory.
     *
     * @throws IOException if the entry names nothing that exists, or its directory cannot be listed
     */
    public static List<Path> expand(String entry, Path base) throws IOException {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("empty class path entry");
        }
        Path path = base.resolve(entry.strip()).normalize();
        Path nameSegment = path.getFileName();
        String name = nameSegment == null ? "" : nameSegment.toString();
        Path dir = path.getParent();
        if (dir != null && isGlob(dir.toString())) {
            throw new IOException("class path entry '" + entry + "': only the last path segment may hold a wildcard");
        }
        if (!isGlob(name)) {
            if (!Files.exists(path)) {
                throw new IOException("class path entry '" + entry + "' does not exist (" + path + ")");
            }
            return List.of(path);
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("class path entry '" + entry + "': directory " + dir + " does not exist");
        }
        // "dir/*" means every jar in dir, as for java -cp; other globs match any file name.
        PathMatcher matcher = name.equals("*")
                ? p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar")
                : FileSystems.getDefault().getPathMatcher("glob:" + name);
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (Files.isRegularFile(file) && matcher.matches(file.getFileName())) {
                    matches.add(file);
                }
            }
        }
        if (matches.isEmpty()) {
            throw new IOException("class path entry '" + entry + "' matches no file in " + dir);
        }
        matches.sort(null);
        return matches;
    }

    /** Expands every entry of a {@link File#pathSeparator}-separated list; see {@link #expand(String, Path)}. */
    public static List<Path> expandAll(String list, Path base) throws IOException {
        List<Path> all = new ArrayList<>();
        for (String entry : split(list)) {
            all.addAll(expand(entry, base));
        }
        return all;
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }
}

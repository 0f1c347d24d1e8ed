package org.umedsam.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: a zip of {@code NAME.npy} entries, stored
 * ({@code np.savez}) or deflated ({@code np.savez_compressed}).
 */
public final class Npz {
    private Npz() {
    }

    /** The names of the arrays in an archive, in archive order. */
    public static java.util.List<String> keys(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            zip.stream().forEach(e -> keys.add(stripNpy(e.getName())));
            return keys;
        }
    }

    /** Reads every array of an archive, in archive order. */
    public static Map<String, NpyArray> read(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Map<String, NpyArray> out = new LinkedHashMap<>();
            var entries = Collections.list(zip.entries());
            for (ZipEntry e : entries) {
                if (e.isDirectory()) {
                    continue;
                }
                out.put(stripNpy(e.getName()), readEntry(zip, e, file));
            }
            return out;
        }
    }

    /**
     * Reads one array by name.
     *
     * @throws IOException naming the file and the key when the key is missing
     */
    public static NpyArray read(Path file, String key) throws IOException {
        try (ZipFile zip = open(file)) {
            ZipEntry e = zip.getEntry(key + ".npy");
            if (e == null) {
                e = zip.getEntry(key);
            }
            if (e == null) {
                java.util.List<String> keys = new java.util.ArrayList<>();
                zip.stream().forEach(x -> keys.add(stripNpy(x.getName())));
                throw new IOException(file + ": no array '" + key + "' (keys: " + keys + ")");
            }
            return readEntry(zip, e, file);
        }
    }

    private static ZipFile open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such .npz file");
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": not a readable .npz (zip) archive, truncated or corrupt: "
                    + e.getMessage(), e);
        }
    }

    private static NpyArray readEntry(ZipFile zip, ZipEntry e, Path file) throws IOException {
        String source = file + ":" + e.getName();
        try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
            return Npy.read(in, source);
        } catch (ZipException ex) {
            throw new IOException(source + ": corrupt zip entry: " + ex.getMessage(), ex);
        }
    }

    private static String stripNpy(String name) {
        return name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    }

    /**
     * Writes arrays as an {@code .npz} atomically (a temporary file beside the target, then a
     * rename), so an interrupted write never leaves a truncated archive behind.
     *
     * @param compressed deflate entries (level 1), like {@code np.savez_compressed} (which uses level 6)
     */
    public static void write(Path file, Map<String, NpyArray> arrays, boolean compressed) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 ZipOutputStream zip = new ZipOutputStream(os)) {
                // fastest deflate level: segmentation masks compress well anyway, and a large
                // volume writes several times faster than at zlib's default level 6
                zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
                for (var kv : arrays.entrySet()) {
                    ZipEntry e = new ZipEntry(kv.getKey() + ".npy");
                    if (compressed) {
                        e.setMethod(ZipEntry.DEFLATED);
                        zip.putNextEntry(e);
                        Npy.write(zip, kv.getValue());
                    } else {
                        // stored entries need size and CRC up front
                        var buf = new java.io.ByteArrayOutputStream();
                        Npy.write(buf, kv.getValue());
                        byte[] bytes = buf.toByteArray();
                        CRC32 crc = new CRC32();
                        crc.update(bytes);
                        e.setMethod(ZipEntry.STORED);
                        e.setSize(bytes.length);
                        e.setCompressedSize(bytes.length);
                        e.setCrc(crc.getValue());
                        zip.putNextEntry(e);
                        zip.write(bytes);
                    }
                    zip.closeEntry();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

package org.umedsam.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
            entries(zip, file).forEach(e -> keys.add(stripNpy(e.getName())));
            return keys;
        }
    }

    /**
     * Largest ratio of inflated to deflated bytes a member may declare: deflate cannot do better
     * than about 1032:1, so a declared size beyond that is a lie, refused before anything is
     * inflated.
     */
    static final long MAX_DEFLATE_RATIO = 1032;

    /** Reads every array of an archive, in archive order. */
    public static Map<String, NpyArray> read(Path file) throws IOException {
        return read(file, (Set<String>) null);
    }

    /**
     * Reads the arrays named in {@code keys} that the archive holds (every array when {@code keys}
     * is null), in archive order. Other members are never inflated, so unused members cost nothing.
     */
    public static Map<String, NpyArray> read(Path file, Set<String> keys) throws IOException {
        try (ZipFile zip = open(file)) {
            Map<String, NpyArray> out = new LinkedHashMap<>();
            var entries = entries(zip, file);
            for (ZipEntry e : entries) {
                if (e.isDirectory() || (keys != null && !keys.contains(stripNpy(e.getName())))) {
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
                entries(zip, file).forEach(x -> keys.add(stripNpy(x.getName())));
                throw new IOException(file + ": no array '" + key + "' (keys: " + keys + ")");
            }
            return readEntry(zip, e, file);
        }
    }

    private static java.util.List<? extends ZipEntry> entries(ZipFile zip, Path file) throws IOException {
        try {
            return Collections.list(zip.entries());
        } catch (RuntimeException ex) {
            throw new IOException(file + ": corrupt zip directory: " + ex.getMessage(), ex);
        }
    }

    private static ZipFile open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such .npz file");
        }
        return openZip(file, "a readable .npz (zip) archive");
    }

    /** Opens a zip archive; any failure (even an unnamed EOFException of the JDK) names the file. */
    static ZipFile openZip(Path file, String expected) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not " + expected + ", truncated or corrupt: " + e, e);
        }
    }

    /**
     * Checks a member's declared sizes against the archive before anything is inflated: stored
     * members hold what they declare, deflated ones at most {@link #MAX_DEFLATE_RATIO} times their
     * compressed size, and no member is longer than the file.
     *
     * @return the declared uncompressed size, or -1 when the archive does not say
     */
    static long declaredSize(ZipEntry e, Path file, long fileBytes) throws IOException {
        String source = file + ":" + e.getName();
        long size = e.getSize();
        long packed = e.getCompressedSize();
        if (size < 0 || packed < 0) {
            return -1;
        }
        if (packed > fileBytes) {
            throw new IOException(source + ": member declares " + packed + " compressed bytes, the file holds "
                    + fileBytes);
        }
        if (e.getMethod() == ZipEntry.STORED && size != packed) {
            throw new IOException(source + ": stored member declares " + size + " bytes but holds " + packed);
        }
        if (e.getMethod() == ZipEntry.DEFLATED && size > packed * MAX_DEFLATE_RATIO + 1024) {
            throw new IOException(source + ": member declares " + size + " bytes from " + packed
                    + " compressed bytes, more than deflate can produce");
        }
        return size;
    }

    private static NpyArray readEntry(ZipFile zip, ZipEntry e, Path file) throws IOException {
        String source = file + ":" + e.getName();
        long declared = declaredSize(e, file, Files.size(file));
        try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
            return Npy.read(in, source, declared);
        } catch (ZipException ex) {
            throw new IOException(source + ": corrupt zip entry: " + ex.getMessage(), ex);
        } catch (IOException ex) {
            if (ex.getMessage() != null && ex.getMessage().startsWith(source)) {
                throw ex;
            }
            // the inflater's own errors (e.g. an EOFException without a message) name nothing
            throw new IOException(source + ": corrupt or truncated zip entry: " + ex, ex);
        } catch (RuntimeException ex) {
            // java.util.zip reports some corruptions unchecked (e.g. an invalid inflater state)
            throw new IOException(source + ": corrupt zip entry: " + ex, ex);
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
        AtomicFiles.write(file, tmp -> {
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
        });
    }
}

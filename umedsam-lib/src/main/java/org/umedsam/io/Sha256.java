package org.umedsam.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 fingerprints as the toolkit writes them: 64 lower-case hex digits. Used where a file or an array must be
 * recognised by content, never by name or identity (a scored base model's weights, cached embeddings).
 */
public final class Sha256 {
    private Sha256() {
    }

    /** A fresh digest (every Java runtime has SHA-256). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** {@code digest} as 64 lower-case hex digits. */
    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** The fingerprint of a file's bytes, read as a stream (memory stays bounded whatever its size). */
    public static String ofFile(Path file) throws IOException {
        MessageDigest md = newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return hex(md.digest());
    }
}

package org.umedsam.io;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files, format versions 1.0, 2.0 and 3.0
 * (NEP 1: magic {@code \x93NUMPY}, version, little-endian header length, a Python dict literal
 * with {@code descr}, {@code fortran_order} and {@code shape}, padded so data is 64-byte aligned).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a {@code .npy} file. Errors name the file. */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads one array from a stream positioned at the magic string. The element bytes are read
     * straight into the array's only buffer.
     *
     * @param source named in error messages (a file, or file:entry)
     */
    public static NpyArray read(InputStream in, String source) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8) {
            throw new IOException(source + ": truncated .npy (no header)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new IOException(source + ": not a .npy array (bad magic string)");
            }
        }
        int major = magic[6] & 0xFF;
        int headerLen;
        if (major == 1) {
            byte[] l = readFully(in, 2, source, "header length");
            headerLen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] l = readFully(in, 4, source, "header length");
            headerLen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8 | (l[2] & 0xFF) << 16 | (l[3] & 0xFF) << 24;
            if (headerLen < 0) {
                throw new IOException(source + ": header length out of range");
            }
        } else {
            throw new IOException(source + ": unsupported .npy format version " + major + "." + (magic[7] & 0xFF));
        }
        String header = new String(readFully(in, headerLen, source, "header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(source + ": malformed .npy header: " + header.trim());
        }
        NpyDtype dtype;
        try {
            dtype = NpyDtype.fromDescr(d.group(1));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
        ByteOrder order = NpyDtype.orderOf(d.group(1));
        int[] shape = parseShape(s.group(1), source);
        long n = 1;
        for (int dim : shape) {
            n = Math.multiplyExact(n, dim);
        }
        long bytes = n * dtype.bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IOException(source + ": array of " + bytes + " bytes exceeds the 2 GiB a single buffer holds");
        }
        byte[] data = readFully(in, (int) bytes, source, "data");
        return new NpyArray(dtype, shape, Boolean.parseBoolean(f.group(1).toLowerCase()),
                ByteBuffer.wrap(data).order(order));
    }

    private static int[] parseShape(String body, String source) throws IOException {
        String t = body.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split(",");
        int count = 0;
        for (String p : parts) {
            if (!p.isBlank()) {
                count++;
            }
        }
        int[] shape = new int[count];
        int k = 0;
        for (String p : parts) {
            if (p.isBlank()) {
                continue;
            }
            try {
                shape[k++] = Integer.parseInt(p.trim().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new IOException(source + ": bad shape (" + body + ") in .npy header");
            }
        }
        return shape;
    }

    private static byte[] readFully(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r;
            try {
                r = in.read(b, off, n - off);
            } catch (EOFException e) {
                r = -1;
            }
            if (r < 0) {
                throw new EOFException(source + ": truncated .npy: expected " + n + " bytes of " + what
                        + ", found " + off);
            }
            off += r;
        }
        return b;
    }

    /** Writes {@code array} as a version 1.0 {@code .npy} (2.0 if the header needs it). */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < array.rank(); i++) {
            shape.append(i == 0 ? "" : ", ").append(array.shape(i));
        }
        shape.append(array.rank() == 1 ? ",)" : ")");
        String dict = "{'descr': '" + array.dtype().descr(array.byteOrder()) + "', 'fortran_order': "
                + (array.isFortranOrder() ? "True" : "False") + ", 'shape': " + shape + ", }";
        int version = 1;
        int pre = 10;
        int total = pre + dict.length() + 1;
        if (total + (64 - total % 64) % 64 - pre > 0xFFFF) {
            version = 2;
            pre = 12;
            total = pre + dict.length() + 1;
        }
        int pad = (64 - total % 64) % 64;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(pad)).append('\n');
        int hl = header.length();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC);
        head.write(version);
        head.write(0);
        head.write(hl & 0xFF);
        head.write((hl >> 8) & 0xFF);
        if (version == 2) {
            head.write((hl >> 16) & 0xFF);
            head.write((hl >> 24) & 0xFF);
        }
        head.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(head.toByteArray());
        ByteBuffer raw = array.rawData();
        long n = array.size() * array.dtype().bytes();
        byte[] chunk = new byte[1 << 16];
        raw.position(0);
        long left = n;
        while (left > 0) {
            int c = (int) Math.min(chunk.length, left);
            raw.get(chunk, 0, c);
            out.write(chunk, 0, c);
            left -= c;
        }
    }
}

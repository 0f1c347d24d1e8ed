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

    /**
     * Longest header accepted, in bytes: numpy's own limit ({@code max_header_size} of
     * {@code np.load}, 10000), so a header length near 2^31 is refused before anything is allocated.
     */
    public static final int MAX_HEADER_BYTES = 10_000;

    /** Reads a {@code .npy} file. Errors name the file; the file's size bounds what is allocated. */
    public static NpyArray read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString(), size);
        }
    }

    /** {@link #read(InputStream, String, long)} when the stream's length is not known. */
    public static NpyArray read(InputStream in, String source) throws IOException {
        return read(in, source, -1);
    }

    /**
     * Reads one array from a stream positioned at the magic string. The element bytes are read
     * straight into the array's only buffer, which is allocated only once the header has been
     * checked against {@code declaredBytes}: a header claiming more data than the file or zip
     * member holds is refused before any allocation.
     *
     * @param source named in error messages (a file, or file:entry)
     * @param declaredBytes the length of the whole {@code .npy} (file size, zip member size), or -1
     *     when unknown; when known the header and data must fill it exactly
     */
    public static NpyArray read(InputStream in, String source, long declaredBytes) throws IOException {
        NpyHeader h = readHeader(in, source);
        long bytes = h.dataBytes();
        if (declaredBytes >= 0 && h.headerBytes() + bytes != declaredBytes) {
            long holds = Math.max(0, declaredBytes - h.headerBytes());
            throw new IOException(source + (holds < bytes ? ": truncated .npy: header " : ": trailing bytes in .npy: header ")
                    + h.describe() + " needs " + bytes + " bytes of data, the file holds " + holds + " after the header");
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IOException(source + ": header " + h.describe() + " needs " + bytes
                    + " bytes, more than the 2 GiB one array holds");
        }
        byte[] data = readFully(in, (int) bytes, source, "data", declaredBytes < 0);
        return new NpyArray(h.dtype(), h.shape(), h.fortranOrder(), ByteBuffer.wrap(data).order(h.order()));
    }

    /**
     * Reads and checks the header (magic, version, length at most {@link #MAX_HEADER_BYTES}, dict,
     * dtype, shape with no negative dimension and an element count that fits a long), leaving the
     * stream at the first data byte.
     */
    static NpyHeader readHeader(InputStream in, String source) throws IOException {
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
        long headerLen;
        int pre;
        if (major == 1) {
            byte[] l = readFully(in, 2, source, "header length");
            headerLen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8;
            pre = 10;
        } else if (major == 2 || major == 3) {
            byte[] l = readFully(in, 4, source, "header length");
            headerLen = ((l[0] & 0xFF) | (l[1] & 0xFF) << 8 | (l[2] & 0xFF) << 16 | (long) (l[3] & 0xFF) << 24);
            pre = 12;
        } else {
            throw new IOException(source + ": unsupported .npy format version " + major + "." + (magic[7] & 0xFF));
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IOException(source + ": .npy header of " + headerLen + " bytes exceeds numpy's limit of "
                    + MAX_HEADER_BYTES);
        }
        String header = new String(readFully(in, (int) headerLen, source, "header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(source + ": malformed .npy header: " + abbreviate(header.trim()));
        }
        NpyDtype dtype;
        try {
            dtype = NpyDtype.fromDescr(d.group(1));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
        int[] shape = parseShape(s.group(1), source);
        long n = 1;
        for (int dim : shape) {
            n = NpyHeader.multiply(n, dim, source, shape);
        }
        NpyHeader.multiply(n, dtype.bytes(), source, shape);
        return new NpyHeader(dtype, NpyDtype.orderOf(d.group(1)), "True".equals(f.group(1)), shape, pre + headerLen);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
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
        if (count > 32) {
            throw new IOException(source + ": shape has " + count + " dimensions, numpy allows at most 32");
        }
        int[] shape = new int[count];
        int k = 0;
        for (String p : parts) {
            if (p.isBlank()) {
                continue;
            }
            long v;
            try {
                v = Long.parseLong(p.trim().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new IOException(source + ": bad shape (" + abbreviate(body) + ") in .npy header");
            }
            if (v < 0) {
                throw new IOException(source + ": negative dimension " + v + " in shape (" + body.trim() + ")");
            }
            if (v > Integer.MAX_VALUE) {
                throw new IOException(source + ": dimension " + v + " in shape (" + body.trim()
                        + ") exceeds " + Integer.MAX_VALUE);
            }
            shape[k++] = (int) v;
        }
        return shape;
    }

    private static byte[] readFully(InputStream in, int n, String source, String what) throws IOException {
        return readFully(in, n, source, what, false);
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @param grow when {@code n} is only the header's claim (no file or member size vouches for
     *     it), grow the buffer as data arrives, from 64 MiB by doubling, so a stream that ends early
     *     never costs the claimed size
     */
    private static byte[] readFully(InputStream in, int n, String source, String what, boolean grow)
            throws IOException {
        byte[] b = new byte[grow ? Math.min(n, 1 << 26) : n];
        int off = 0;
        while (off < n) {
            if (off == b.length) {
                b = java.util.Arrays.copyOf(b, (int) Math.min(n, (long) b.length * 2));
            }
            int r;
            try {
                r = in.read(b, off, b.length - off);
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

package org.umedsam.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads single-file NIfTI-1 images ({@code .nii}, {@code .nii.gz}; magic {@code n+1}), either byte
 * order. Data types uint8, int8, int16, uint16, int32, float32, float64; values are scaled by
 * {@code scl_slope}/{@code scl_inter} when the slope is non-zero (NIfTI-1 rule; a non-finite one
 * counts as 0, as nifti1_io reads it). Voxel spacing is
 * {@code pixdim[1..3]} (1 where one is not a finite positive number). Orientation (qform/sform) is not applied: the array is returned in storage
 * order, x fastest. Header extensions (for example label tables) are kept as raw bytes.
 *
 * <p>Memory is bounded by what the file holds, not by what its header claims: at most
 * {@link #MAX_EXTENSION_BYTES} of extensions, data read in chunks as it arrives (a gzipped file that
 * ends early fails after reading what it has), an uncompressed file refused before any read when it
 * is shorter than its header's dimensions need, and at most 2^31 bytes of data.
 */
public final class Nifti {
    private static final int HEADER = 348;
    /** The most header-extension bytes read before the data (label tables are a few kB). */
    static final long MAX_EXTENSION_BYTES = 64L << 20;

    private Nifti() {
    }

    /**
     * A NIfTI volume in storage order.
     *
     * @param dims {@code {nx, ny, nz}} (missing dimensions are 1)
     * @param spacing {@code pixdim[1..3]}, in the file's units (usually mm)
     * @param values scaled voxel values, index {@code x + nx*(y + ny*z)}
     * @param datatype NIfTI datatype code of the stored values (2 uint8, 4 int16, 16 float32, ...)
     * @param extensions header extensions' payloads (after their 8-byte esize/ecode)
     * @param gap all bytes between the header's 4-byte extender and {@code vox_offset}; some files
     *     (inia19-NeuroMaps) keep a label table there without declaring an extension
     * @param header the 348 header bytes as stored (the file's byte order): its orientation (qform, sform),
     *     units and the rest, for {@link #writeLabels} to give a label map the same geometry
     */
    public record Volume(int[] dims, double[] spacing, float[] values, int datatype, List<byte[]> extensions,
                         byte[] gap, byte[] header) {
        public int nx() {
            return dims[0];
        }

        public int ny() {
            return dims[1];
        }

        public int nz() {
            return dims[2];
        }

        /** The value at {@code (x, y, z)}. */
        public float get(int x, int y, int z) {
            return values[x + dims[0] * (y + dims[1] * z)];
        }

        /**
         * All extensions' text (ISO-8859-1), concatenated with newlines; when no extension is
         * declared, the text found in the {@link #gap} instead. NUL bytes are dropped.
         */
        public String extensionText() {
            StringBuilder sb = new StringBuilder();
            if (extensions.isEmpty()) {
                sb.append(new String(gap, StandardCharsets.ISO_8859_1));
            }
            for (byte[] e : extensions) {
                sb.append(new String(e, StandardCharsets.ISO_8859_1)).append('\n');
            }
            return sb.toString().replace("\0", "");
        }
    }

    /** Reads a {@code .nii} or {@code .nii.gz} file; errors name the file and the problem. */
    public static Volume read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such NIfTI file");
        }
        boolean gz = gzipped(file);
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = new BufferedInputStream(gz ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16)) {
            Volume v = read(in, file.toString(), gz ? -1 : Files.size(file));
            if (gz) {
                // on to the end, so GZIPInputStream checks the trailer: stored (incompressible) data inflates with a
                // flipped bit silently, and only the CRC-32 tells; whatever follows costs time, not memory
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return v;
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException(file + ": truncated or corrupt NIfTI ("
                    + (e.getMessage() == null ? "the gzip stream ends early" : e.getMessage()) + ")", e);
        }
    }

    private static boolean gzipped(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] m = in.readNBytes(2);
            return m.length == 2 && (m[0] & 0xFF) == 0x1F && (m[1] & 0xFF) == 0x8B;
        }
    }

    static Volume read(InputStream in, String source) throws IOException {
        return read(in, source, -1);
    }

    /** {@code fileSize}: the uncompressed file's length, checked against the header's claim; -1 when unknown. */
    static Volume read(InputStream in, String source, long fileSize) throws IOException {
        byte[] h = in.readNBytes(HEADER);
        if (h.length < HEADER) {
            throw new IOException(source + ": truncated NIfTI header (" + h.length + " of 348 bytes)");
        }
        ByteOrder order = byteOrder(h);
        if (order == null) {
            throw new IOException(source + ": not a NIfTI-1 file (sizeof_hdr is not 348 in either byte order)");
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(order);
        String magic = new String(h, 344, 3, StandardCharsets.ISO_8859_1);
        if (!magic.equals("n+1")) {
            throw new IOException(source + ": NIfTI magic '" + magic.trim() + "' not supported (need single-file 'n+1')");
        }
        int ndim = b.getShort(40);
        if (ndim < 1 || ndim > 7) {
            throw new IOException(source + ": dim[0] = " + ndim + " out of range");
        }
        int[] dims = {1, 1, 1};
        long n = 1;
        for (int i = 1; i <= ndim; i++) {
            int d = b.getShort(40 + 2 * i);
            if (d < 1) {
                throw new IOException(source + ": dim[" + i + "] = " + d);
            }
            if (i <= 3) {
                dims[i - 1] = d;
            } else if (d != 1) {
                throw new IOException(source + ": " + ndim + "D image with dim[" + i + "] = " + d + "; only 3D volumes are read");
            }
            n *= d;
        }
        int datatype = b.getShort(70);
        double[] spacing = new double[3];
        for (int i = 0; i < 3; i++) {
            float p = b.getFloat(76 + 4 * (i + 1));
            spacing[i] = p > 0 && Float.isFinite(p) ? p : 1.0; // nifti1_io's "bad grid spacing" rule
        }
        long voxOffset = (long) b.getFloat(108);
        // a NaN or infinite scl_slope/scl_inter reads as 0, as nifti1_io (ITK, so MedSAM's SimpleITK) reads it:
        // a non-finite slope means unscaled, not every voxel NaN
        float slope = finiteOrZero(b.getFloat(112));
        float inter = finiteOrZero(b.getFloat(116));
        int bytes = switch (datatype) {
            case 2, 256 -> 1;
            case 4, 512 -> 2;
            case 8, 16 -> 4;
            case 64 -> 8;
            default -> throw new IOException(source + ": NIfTI datatype " + datatype
                    + " not supported (uint8, int8, int16, uint16, int32, float32, float64)");
        };
        if (voxOffset < HEADER) {
            voxOffset = HEADER + 4;
        }
        // a header claims; only what the file holds is ever allocated: the extension block and the data are read
        // in chunks as they arrive (readNBytes), and an uncompressed file must be as long as its header says
        if (voxOffset - HEADER > MAX_EXTENSION_BYTES) {
            throw new IOException(source + ": vox_offset " + voxOffset + " leaves " + (voxOffset - HEADER)
                    + " bytes of header extensions, more than " + MAX_EXTENSION_BYTES);
        }
        if (n * bytes > Integer.MAX_VALUE - 8) {
            throw new IOException(source + ": volume too large (" + n + " voxels)");
        }
        if (fileSize >= 0 && fileSize < voxOffset + n * bytes) {
            throw new IOException(source + ": truncated NIfTI: header " + Arrays.toString(dims) + " x " + bytes
                    + " bytes needs " + (voxOffset + n * bytes) + " bytes, the file holds " + fileSize);
        }
        // a gzipped file's size says nothing (zeros compress 1000:1): what can never fit the heap is refused unread
        long need = n * (bytes + 4L); // the data, then its floats
        if (need > Runtime.getRuntime().maxMemory()) {
            throw new IOException(source + ": " + Arrays.toString(dims) + " voxels x " + bytes + " bytes need "
                    + (need >> 20) + " MiB to read, more than this JVM's heap of "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB (java -Xmx)");
        }
        byte[] rest = in.readNBytes((int) (voxOffset - HEADER));
        if (rest.length < voxOffset - HEADER) {
            throw new IOException(source + ": truncated before vox_offset " + voxOffset);
        }
        List<byte[]> ext = extensions(rest, b.order(), source);
        byte[] data = in.readNBytes((int) (n * bytes));
        if (data.length < n * bytes) {
            throw new IOException(source + ": truncated NIfTI data: expected " + n * bytes + " bytes, found " + data.length);
        }
        ByteBuffer d = ByteBuffer.wrap(data).order(b.order());
        float[] v = new float[(int) n];
        boolean scale = slope != 0 && !(slope == 1 && inter == 0);
        for (int i = 0; i < v.length; i++) {
            double x = switch (datatype) {
                case 2 -> data[i] & 0xFF;
                case 256 -> data[i];
                case 4 -> d.getShort(2 * i);
                case 512 -> d.getShort(2 * i) & 0xFFFF;
                case 8 -> d.getInt(4 * i);
                case 16 -> d.getFloat(4 * i);
                default -> d.getDouble(8 * i);
            };
            v[i] = (float) (scale ? x * slope + inter : x);
        }
        return new Volume(dims, spacing, v, datatype, ext, rest.length > 4 ? Arrays.copyOfRange(rest, 4, rest.length) : new byte[0],
                h);
    }

    /**
     * Writes a single-file NIfTI-1 volume of float32 voxels (little-endian; gzipped when the name ends
     * in {@code .gz}), atomically; {@link #read} returns the same dims, spacing and values. No
     * orientation is written (qform and sform codes 0), as {@link #read} applies none.
     *
     * @param dims {@code {nx, ny, nz}}
     * @param spacing {@code pixdim[1..3]}
     * @param values index {@code x + nx*(y + ny*z)}
     */
    public static void write(Path file, int[] dims, double[] spacing, float[] values) throws IOException {
        if (dims.length != 3 || spacing.length != 3 || (long) dims[0] * dims[1] * dims[2] != values.length) {
            throw new IllegalArgumentException(file + ": dims " + Arrays.toString(dims) + " and spacing "
                    + Arrays.toString(spacing) + " do not fit " + values.length + " values");
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, HEADER);
        b.putShort(40, (short) 3);
        for (int i = 0; i < 3; i++) {
            if (dims[i] < 1 || dims[i] > Short.MAX_VALUE) {
                throw new IllegalArgumentException(file + ": dimension " + dims[i] + " outside 1.." + Short.MAX_VALUE);
            }
            b.putShort(42 + 2 * i, (short) dims[i]);
            b.putFloat(80 + 4 * i, (float) spacing[i]);
        }
        b.putShort(70, (short) 16);
        b.putShort(72, (short) 32);
        b.putFloat(76, 1f);
        b.putFloat(108, HEADER + 4);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        b.position(HEADER + 4);
        b.asFloatBuffer().put(values);
        writeFile(file, b.array());
    }

    /**
     * Writes a label map on the grid of the volume whose header is {@code reference} ({@link Volume#header}):
     * the same dimensions, spacing, units and orientation (qform and sform copied), so a viewer lays it over that
     * volume; uint8 when every label fits a byte, else uint16, no scaling, no extensions, in the reference's byte
     * order; gzipped when the name ends in {@code .gz}; atomically.
     *
     * @param labels index {@code x + nx*(y + ny*z)}, {@code nx * ny * nz} of the reference's dimensions
     * @throws IllegalArgumentException when {@code reference} is not a 3D NIfTI-1 header or the labels do not fit it
     */
    public static void writeLabels(Path file, byte[] reference, LabelArray labels) throws IOException {
        int[] grid = grid(reference, file + ": the reference");
        ByteBuffer h = ByteBuffer.wrap(reference.clone()).order(byteOrder(reference)); // grid checked it
        if ((long) grid[0] * grid[1] * grid[2] != labels.length()) {
            throw new IllegalArgumentException(file + ": " + labels.length() + " labels do not fit the reference grid of "
                    + Arrays.toString(grid) + " voxels (x, y, z)");
        }
        for (int i = 1; i <= 3; i++) {
            h.putShort(40 + 2 * i, (short) grid[i - 1]); // a 2D reference's missing z becomes 1
        }
        boolean wide = labels.max() > 255;
        h.putShort(40, (short) 3);
        for (int i = 4; i <= 7; i++) {
            h.putShort(40 + 2 * i, (short) 1);
        }
        for (int at = 56; at < 70; at += 2) {
            h.putShort(at, (short) 0); // intent_p1..3 and intent_code: a plain label map
        }
        h.putShort(70, (short) (wide ? 512 : 2));
        h.putShort(72, (short) (wide ? 16 : 8));
        h.putFloat(108, HEADER + 4);
        h.putFloat(112, 1f);
        h.putFloat(116, 0f);
        h.putFloat(124, labels.max());
        h.putFloat(128, 0f);
        byte[] text = h.array();
        Arrays.fill(text, 148, 228, (byte) 0);
        byte[] descrip = "umedsam label map".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(descrip, 0, text, 148, descrip.length);
        Arrays.fill(text, 228, 252, (byte) 0); // aux_file
        Arrays.fill(text, 328, 344, (byte) 0); // intent_name
        text[344] = 'n';
        text[345] = '+';
        text[346] = '1';
        text[347] = 0;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 + (wide ? 2 : 1) * labels.length()).order(h.order());
        b.put(text).putInt(0); // no extensions
        for (int i = 0; i < labels.length(); i++) {
            if (wide) {
                b.putShort((short) labels.get(i));
            } else {
                b.put((byte) labels.get(i));
            }
        }
        writeFile(file, b.array());
    }

    /**
     * The grid {@code {nx, ny, nz}} a 348-byte NIfTI-1 header claims (either byte order; dimensions past {@code dim[0]}
     * are 1, as {@link #read} takes them).
     *
     * @throws IllegalArgumentException naming {@code source} when it is not such a header or claims no voxels
     */
    public static int[] grid(byte[] header, String source) {
        if (header == null || header.length != HEADER) {
            throw new IllegalArgumentException(source + ": a NIfTI-1 header has " + HEADER + " bytes, got "
                    + (header == null ? "none" : header.length));
        }
        ByteOrder order = byteOrder(header);
        if (order == null) {
            throw new IllegalArgumentException(source + ": not a NIfTI-1 header (sizeof_hdr is not 348)");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(order);
        int ndim = h.getShort(40);
        if (ndim < 1 || ndim > 7) {
            throw new IllegalArgumentException(source + ": NIfTI header with dim[0] = " + ndim);
        }
        int[] grid = {1, 1, 1};
        for (int i = 1; i <= Math.min(ndim, 3); i++) {
            grid[i - 1] = h.getShort(40 + 2 * i);
            if (grid[i - 1] < 1) {
                throw new IllegalArgumentException(source + ": its NIfTI header claims dim[" + i + "] = " + grid[i - 1]);
            }
        }
        return grid;
    }

    /** The byte order in which {@code header} (at least 4 bytes) says sizeof_hdr = 348; null when in neither. */
    private static ByteOrder byteOrder(byte[] header) {
        for (ByteOrder o : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            if (ByteBuffer.wrap(header).order(o).getInt(0) == HEADER) {
                return o;
            }
        }
        return null;
    }

    /** Writes a whole NIfTI file's bytes, gzipped when the name ends in {@code .gz}, atomically. */
    private static void writeFile(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (java.io.OutputStream raw = Files.newOutputStream(tmp);
                 java.io.OutputStream o = file.toString().endsWith(".gz") ? new java.util.zip.GZIPOutputStream(raw, 1 << 16) : raw) {
                o.write(bytes);
            }
        });
    }

    private static float finiteOrZero(float f) {
        return Float.isFinite(f) ? f : 0f;
    }

    private static List<byte[]> extensions(byte[] rest, ByteOrder order, String source) throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (rest.length < 4 || rest[0] == 0) {
            return out;
        }
        ByteBuffer e = ByteBuffer.wrap(rest).order(order);
        int p = 4;
        while (p + 8 <= rest.length) {
            int esize = e.getInt(p);
            if (esize < 8 || p + esize > rest.length) {
                throw new IOException(source + ": bad NIfTI extension size " + esize + " at byte " + (HEADER + p));
            }
            byte[] payload = new byte[esize - 8];
            System.arraycopy(rest, p + 8, payload, 0, payload.length);
            out.add(payload);
            p += esize;
        }
        return out;
    }
}

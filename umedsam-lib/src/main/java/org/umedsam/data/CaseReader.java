package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.umedsam.io.LabelArray;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Reads and validates challenge {@code .npz} cases ({@code imgs}, {@code gts} and/or
 * {@code boxes}, {@code spacing} for 3D). Every problem is reported as an {@link IOException}
 * whose message starts with the file and names the key and what was expected.
 *
 * <p>Dimensionality comes from the name ({@code 2D...}/{@code 3D...} token) when it says, else from
 * the shape ({@code [H, W]} or {@code [H, W, 3]} is 2D, other rank-3 arrays 3D). Modality: see
 * {@link Modalities#of}. {@code imgs} may be stored in any integer or float dtype as long as every
 * value is a whole number in 0..255 (the challenge stores uint8); {@code gts} likewise, in
 * 0..65535 (the challenge stores uint8, or uint16 for cases with more than 255 objects), held in
 * bytes while every label fits one ({@link LabelArray}); 3D cases without {@code spacing} get
 * {@code (1, 1, 1)}.
 *
 * <p>Boxes: every value must be finite and within the int range, and each box ordered
 * ({@code x0 <= x1}, {@code y0 <= y1}, {@code z0 <= z1}); float coordinates are rounded. A box
 * that overlaps the image is clipped to it, x to {@code 0..W} and y to {@code 0..H} (the far edge
 * is allowed, as LiteMedSAM's own boxes reach it) and z to {@code 0..D-1}; a box wholly outside
 * the image is an error. Only the members {@code imgs}, {@code gts}, {@code boxes} and
 * {@code spacing} are read: other members of the archive are never inflated.
 */
public final class CaseReader {
    private CaseReader() {
    }

    /**
     * The {@code .npz} files under {@code dir} (recursively, so a training root with one folder
     * per modality works), sorted by path.
     */
    public static java.util.List<Path> listCases(Path dir) throws IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder of .npz cases");
        }
        try (var s = java.nio.file.Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".npz") && java.nio.file.Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    /** The members a case is made of; others are never inflated. */
    static final java.util.Set<String> KEYS = java.util.Set.of("imgs", "gts", "boxes", "spacing");

    /** Reads and validates one case. */
    public static Case read(Path file) throws IOException {
        Map<String, NpyArray> a = Npz.read(file, KEYS);
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".npz") ? fileName.substring(0, fileName.length() - 4) : fileName;
        NpyArray imgs = a.get("imgs");
        if (imgs == null) {
            throw new IOException(file + ": missing key 'imgs' (keys: " + Npz.keys(file) + ")");
        }
        NpyArray gts = a.get("gts");
        NpyArray boxes = a.get("boxes");
        if (gts == null && boxes == null) {
            throw new IOException(file + ": missing key 'gts' or 'boxes' (keys: " + Npz.keys(file)
                    + "); a case needs labels or box prompts");
        }
        int[] s = imgs.shape();
        int named = Modalities.dimensionsFromName(name);
        boolean threeD;
        if (named != 0) {
            threeD = named == 3;
        } else {
            threeD = s.length == 3 && s[2] != 3 && s[2] != 1;
        }
        int[] shape;
        if (threeD) {
            if (s.length != 3) {
                throw new IOException(file + ": 'imgs' has shape " + Arrays.toString(s) + ", a 3D case needs [D, H, W]");
            }
            shape = s;
        } else if (s.length == 2) {
            shape = new int[] {s[0], s[1], 1};
        } else if (s.length == 3 && (s[2] == 3 || s[2] == 1)) {
            shape = s;
        } else {
            throw new IOException(file + ": 'imgs' has shape " + Arrays.toString(s)
                    + ", a 2D case needs [H, W, 3] or [H, W]");
        }
        byte[] img = bytes(imgs, file, "imgs");
        LabelArray gt = null;
        int[] spatial = threeD ? shape : new int[] {shape[0], shape[1]};
        if (gts != null) {
            if (!Arrays.equals(gts.shape(), spatial)) {
                throw new IOException(file + ": 'gts' has shape " + Arrays.toString(gts.shape())
                        + " but 'imgs' " + Arrays.toString(s) + " needs " + Arrays.toString(spatial));
            }
            try {
                gt = LabelArray.of(gts);
            } catch (IllegalStateException e) {
                throw new IOException(file + ": 'gts' (" + gts.dtype().name().toLowerCase() + ") " + e.getMessage()
                        + "; the challenge stores labels as uint8, or uint16 beyond 255 objects");
            }
        }
        int[][] bx = null;
        if (boxes != null) {
            bx = boxes(boxes, shape, threeD, file);
        }
        double[] spacing = null;
        NpyArray sp = a.get("spacing");
        if (sp != null) {
            if (sp.size() != 3) {
                throw new IOException(file + ": 'spacing' has shape " + Arrays.toString(sp.shape()) + ", expected 3 values");
            }
            spacing = sp.toDoubleArray();
            for (double v : spacing) {
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IOException(file + ": 'spacing' " + Arrays.toString(spacing) + " must be positive");
                }
            }
        }
        return new Case(name, Modalities.of(file), threeD, Modalities.isSyntheticName(name), shape, img, gt, bx,
                threeD ? spacing : null);
    }

    /** Unsigned bytes of an array whose values must be whole numbers in 0..255. */
    private static byte[] bytes(NpyArray a, Path file, String key) throws IOException {
        if (a.dtype() == org.umedsam.io.NpyDtype.UINT8 || a.dtype() == org.umedsam.io.NpyDtype.BOOL) {
            return a.toUint8ArrayShared();
        }
        long n = a.size();
        if (n > Integer.MAX_VALUE) {
            throw new IOException(file + ": '" + key + "' has " + n + " values, more than one array holds");
        }
        byte[] out = new byte[(int) n];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean whole = true;
        java.nio.ByteBuffer raw = a.rawData();
        boolean cOrder = !a.isFortranOrder() || a.rank() < 2;
        org.umedsam.io.NpyDtype t = a.dtype();
        for (int i = 0; i < n; i++) {
            // direct reads for the common C-order types (no per-element index arithmetic)
            double v;
            if (cOrder && t == org.umedsam.io.NpyDtype.INT16) {
                v = raw.getShort(2 * i);
            } else if (cOrder && t == org.umedsam.io.NpyDtype.UINT16) {
                v = raw.getShort(2 * i) & 0xFFFF;
            } else if (cOrder && t == org.umedsam.io.NpyDtype.FLOAT32) {
                v = raw.getFloat(4 * i);
            } else {
                v = a.getDouble(i);
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (v != Math.rint(v)) {
                whole = false;
            }
            out[i] = (byte) (long) v;
        }
        if (min < 0 || max > 255 || Double.isNaN(min) || Double.isNaN(max)) {
            throw new IOException(file + ": '" + key + "' (" + a.dtype().name().toLowerCase() + ") holds values outside 0..255"
                    + " (min " + min + ", max " + max + "); the challenge stores " + key + " as uint8"
                    + " after intensity normalisation");
        }
        if (!whole) {
            throw new IOException(file + ": '" + key + "' holds non-integer values; expected whole numbers 0..255");
        }
        return out;
    }

    /**
     * Reads and checks the box prompts (see the class doc for the rule): every value finite and a
     * whole number within the int range, each box ordered and overlapping the image; coordinates
     * beyond an edge are clipped to it.
     */
    private static int[][] boxes(NpyArray a, int[] shape, boolean threeD, Path file) throws IOException {
        int width = threeD ? 6 : 4;
        int[] s = a.shape();
        int n;
        if (s.length == 1 && s[0] == width) {
            n = 1;
        } else if (s.length == 2 && s[1] == width) {
            n = s[0];
        } else {
            throw new IOException(file + ": 'boxes' has shape " + Arrays.toString(s) + ", expected [N, " + width + "]"
                    + (width == 4 ? " (x0, y0, x1, y1)" : " (x_min, y_min, z_min, x_max, y_max, z_max)"));
        }
        // upper clip per coordinate axis x, y (, z): the far edge W, H as LiteMedSAM's boxes allow; z to D-1
        long[] limit = threeD ? new long[] {shape[2], shape[1], shape[0] - 1L} : new long[] {shape[1], shape[0]};
        int axes = limit.length;
        int[][] out = new int[n][width];
        for (int i = 0; i < n; i++) {
            long[] v = new long[width];
            for (int j = 0; j < width; j++) {
                v[j] = boxValue(a, (long) i * width + j, i, j, file);
            }
            for (int k = 0; k < axes; k++) {
                long lo = v[k];
                long hi = v[k + axes];
                String problem = BoxPrompts.axisProblem("xyz".charAt(k), lo, hi, limit[k],
                        threeD ? "[x_min, y_min, z_min, x_max, y_max, z_max]" : "[x0, y0, x1, y1]");
                if (problem != null) {
                    throw new IOException(file + ": box " + i + " " + Arrays.toString(v) + " " + problem);
                }
                out[i][k] = (int) Math.max(0, lo);
                out[i][k + axes] = (int) Math.min(limit[k], hi);
            }
        }
        return out;
    }

    /** One box coordinate: finite, whole (10.5 is refused, not rounded) and within the int range (2^32 + 60 is not 60). */
    private static long boxValue(NpyArray a, long index, int box, int coordinate, Path file) throws IOException {
        if (!a.dtype().isFloating()) {
            long v = a.getLong(index);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IOException(file + ": 'boxes' box " + box + " coordinate " + coordinate + " is " + v
                        + ", outside the int range");
            }
            return v;
        }
        double v = a.getDouble(index);
        if (!Double.isFinite(v)) {
            throw new IOException(file + ": 'boxes' box " + box + " coordinate " + coordinate + " is " + v
                    + "; box coordinates must be finite");
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IOException(file + ": 'boxes' box " + box + " coordinate " + coordinate + " is " + v
                    + ", outside the int range");
        }
        if (v != Math.rint(v)) {
            throw new IOException(file + ": 'boxes' box " + box + " coordinate " + coordinate + " is " + v
                    + ", not a whole number; box coordinates must be whole pixels (they are never rounded)");
        }
        return (long) v;
    }
}

package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
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
 * value is a whole number in 0..255 (the challenge stores uint8); 3D cases without {@code spacing}
 * get {@code (1, 1, 1)}.
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

    /** Reads and validates one case. */
    public static Case read(Path file) throws IOException {
        Map<String, NpyArray> a = Npz.read(file);
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".npz") ? fileName.substring(0, fileName.length() - 4) : fileName;
        NpyArray imgs = a.get("imgs");
        if (imgs == null) {
            throw new IOException(file + ": missing key 'imgs' (keys: " + a.keySet() + ")");
        }
        NpyArray gts = a.get("gts");
        NpyArray boxes = a.get("boxes");
        if (gts == null && boxes == null) {
            throw new IOException(file + ": missing key 'gts' or 'boxes' (keys: " + a.keySet()
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
        byte[] gt = null;
        int[] spatial = threeD ? shape : new int[] {shape[0], shape[1]};
        if (gts != null) {
            if (!Arrays.equals(gts.shape(), spatial)) {
                throw new IOException(file + ": 'gts' has shape " + Arrays.toString(gts.shape())
                        + " but 'imgs' " + Arrays.toString(s) + " needs " + Arrays.toString(spatial));
            }
            gt = bytes(gts, file, "gts");
        }
        int[][] bx = null;
        if (boxes != null) {
            bx = boxes(boxes, threeD ? 6 : 4, file);
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
                    + ("imgs".equals(key) ? " after intensity normalisation" : ""));
        }
        if (!whole) {
            throw new IOException(file + ": '" + key + "' holds non-integer values; expected whole numbers 0..255");
        }
        return out;
    }

    private static int[][] boxes(NpyArray a, int width, Path file) throws IOException {
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
        int[][] out = new int[n][width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                out[i][j] = (int) Math.round(a.getDouble((long) i * width + j));
            }
        }
        return out;
    }
}

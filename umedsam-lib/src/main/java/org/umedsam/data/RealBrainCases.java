package org.umedsam.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.umedsam.io.Nifti;

/**
 * Challenge-format MR cases cut from Debian's {@code mricron-data} templates
 * ({@code /usr/share/mricron/templates}):
 * <ul>
 *   <li><b>colin27</b>: {@code ch2.nii.gz} (Colin27 single-subject T1, 181x217x181, 1 mm) and its
 *       skull-stripped copy {@code ch2bet.nii.gz} (2D slices alternate between the two, for
 *       appearance variety), labelled with {@code aal.nii.gz} (AAL, 116 labels on the same
 *       subject, names in {@code aal.nii.txt});</li>
 *   <li><b>inia19</b>: {@code inia19-t1-brain.nii.gz} (macaque T1, 168x206x128, 0.5 mm) labelled
 *       with {@code inia19-NeuroMaps.nii.gz} (names embedded after its header).</li>
 * </ul>
 * Labels are grouped into 15 structures ({@link BrainStructures}). Intensities are clipped to the
 * 0.5th..99.5th percentiles of the non-zero voxels and scaled to 0..255 (the challenge's MR
 * pre-processing). Slices are axial ({@code z} fixed), shown with anterior at the top (rows are
 * {@code y} reversed): 2D images are {@code [ny, nx, 3]}, 3D crops {@code [depth, h, w]} cropped
 * in-plane to the labelled region plus 8 voxels. Per 2D slice, a structure with fewer than 20
 * pixels is dropped (set to 0); per 3D crop, fewer than 100 voxels. Slices and crops are spread
 * evenly over the labelled z range. All cases come from one human and one macaque, so the
 * train/validation/test split ({@link DefaultDatasets#splitOf}) separates slices, not subjects.
 */
public final class RealBrainCases {
    public static final Path TEMPLATES = Path.of("/usr/share/mricron/templates");
    static final List<String> FILES = List.of("ch2.nii.gz", "ch2bet.nii.gz", "aal.nii.gz", "aal.nii.txt",
            "inia19-t1-brain.nii.gz", "inia19-NeuroMaps.nii.gz");
    private static final int MIN_AREA_2D = 20;
    private static final int MIN_VOXELS_3D = 100;
    private static final int MARGIN = 8;

    private RealBrainCases() {
    }

    /** Whether the templates are installed. */
    public static boolean available(Path templates) {
        return FILES.stream().allMatch(f -> Files.isRegularFile(templates.resolve(f)));
    }

    /** One labelled volume: uint8 image(s) and grouped labels, x fastest. */
    record Atlas(String origin, List<byte[]> images, List<String> imageTags, byte[] labels, int nx, int ny, int nz,
                 double[] spacing) {
    }

    /** The cases of both atlases; 2D cases first, then 3D, each list in z order. */
    public static List<Case> build(Path templates, Profile profile) throws IOException {
        if (!available(templates)) {
            throw new IOException(templates + ": mricron-data templates missing (need " + FILES
                    + "); install them with: apt-get install -y mricron-data");
        }
        List<Case> out = new ArrayList<>();
        for (Atlas a : List.of(colin27(templates), inia19(templates))) {
            out.addAll(slices(a, profile.slices2d()));
            out.addAll(crops(a, profile.crops3d(), profile.cropDepth()));
        }
        return out;
    }

    static Atlas colin27(Path t) throws IOException {
        Nifti.Volume img = Nifti.read(t.resolve("ch2.nii.gz"));
        Nifti.Volume bet = Nifti.read(t.resolve("ch2bet.nii.gz"));
        Nifti.Volume aal = Nifti.read(t.resolve("aal.nii.gz"));
        sameGrid(img, aal, "ch2/aal");
        sameGrid(bet, aal, "ch2bet/aal");
        int[] lut = BrainStructures.lookup(Files.readString(t.resolve("aal.nii.txt"), StandardCharsets.ISO_8859_1), 255);
        return new Atlas("colin27", List.of(toUint8(img.values()), toUint8(bet.values())), List.of("colin27", "colin27bet"),
                group(aal.values(), lut), img.nx(), img.ny(), img.nz(), img.spacing());
    }

    static Atlas inia19(Path t) throws IOException {
        Nifti.Volume img = Nifti.read(t.resolve("inia19-t1-brain.nii.gz"));
        Nifti.Volume lab = Nifti.read(t.resolve("inia19-NeuroMaps.nii.gz"));
        sameGrid(img, lab, "inia19 t1/NeuroMaps");
        int max = 0;
        for (float v : lab.values()) {
            max = Math.max(max, (int) v);
        }
        int[] lut = BrainStructures.lookup(lab.extensionText(), max);
        return new Atlas("inia19", List.of(toUint8(img.values())), List.of("inia19"), group(lab.values(), lut),
                img.nx(), img.ny(), img.nz(), img.spacing());
    }

    private static void sameGrid(Nifti.Volume a, Nifti.Volume b, String what) throws IOException {
        if (!Arrays.equals(a.dims(), b.dims())) {
            throw new IOException(what + ": image and labels differ in size " + Arrays.toString(a.dims())
                    + " vs " + Arrays.toString(b.dims()));
        }
    }

    private static byte[] group(float[] labels, int[] lut) {
        byte[] g = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int v = (int) labels[i];
            g[i] = (byte) (v > 0 && v < lut.length ? lut[v] : 0);
        }
        return g;
    }

    /** Percentile clipping (0.5..99.5 of non-zero voxels) and scaling to 0..255. */
    static byte[] toUint8(float[] v) {
        float[] nz = new float[v.length];
        int n = 0;
        for (float x : v) {
            if (x != 0) {
                nz[n++] = x;
            }
        }
        float[] s = Arrays.copyOf(nz, n);
        Arrays.sort(s);
        double lo = n == 0 ? 0 : s[(int) Math.floor(0.005 * (n - 1))];
        double hi = n == 0 ? 1 : s[(int) Math.ceil(0.995 * (n - 1))];
        double range = Math.max(hi - lo, 1e-8);
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = v[i] == 0 ? 0 : (Math.min(Math.max(v[i], lo), hi) - lo) / range * 255.0;
            out[i] = (byte) Math.round(x);
        }
        return out;
    }

    /**
     * First and last z whose labelled area is at least 5% of the largest slice's, so slices and
     * crops are not spent on the atlas's ragged top and bottom.
     */
    private static int[] labelledZ(Atlas a) {
        int plane = a.nx() * a.ny();
        int[] count = new int[a.nz()];
        int max = 0;
        for (int z = 0; z < a.nz(); z++) {
            for (int i = z * plane; i < (z + 1) * plane; i++) {
                if (a.labels()[i] != 0) {
                    count[z]++;
                }
            }
            max = Math.max(max, count[z]);
        }
        int lo = -1;
        int hi = -1;
        for (int z = 0; z < a.nz(); z++) {
            if (max > 0 && count[z] >= 0.05 * max) {
                if (lo < 0) {
                    lo = z;
                }
                hi = z;
            }
        }
        return new int[] {lo, hi};
    }

    static List<Case> slices(Atlas a, int count) {
        List<Case> out = new ArrayList<>();
        int[] zr = labelledZ(a);
        int nx = a.nx();
        int ny = a.ny();
        for (int k = 0; k < count; k++) {
            int z = zr[0] + (int) ((k + 0.5) * (zr[1] - zr[0] + 1) / count);
            int which = k % a.images().size();
            byte[] src = a.images().get(which);
            byte[] img = new byte[ny * nx * 3];
            byte[] gt = new byte[ny * nx];
            for (int r = 0; r < ny; r++) {
                int y = ny - 1 - r;
                for (int x = 0; x < nx; x++) {
                    int i = x + nx * (y + ny * z);
                    int o = r * nx + x;
                    img[3 * o] = src[i];
                    img[3 * o + 1] = src[i];
                    img[3 * o + 2] = src[i];
                    gt[o] = a.labels()[i];
                }
            }
            dropSmall(gt, MIN_AREA_2D);
            if (BoxPrompts.tightBox(gt, ny, nx) == null) {
                continue;
            }
            String name = String.format("2DBox_MR_%s_z%03d", a.imageTags().get(which), z);
            out.add(new Case(name, "MR", false, false, new int[] {ny, nx, 3}, img, gt, null, null));
        }
        return out;
    }

    static List<Case> crops(Atlas a, int count, int depth) {
        List<Case> out = new ArrayList<>();
        int[] zr = labelledZ(a);
        int nx = a.nx();
        int ny = a.ny();
        int span = zr[1] - zr[0] + 1;
        if (count == 0 || span < depth) {
            return out;
        }
        // in-plane crop: labelled region over all z, plus a margin
        int x0 = nx;
        int x1 = -1;
        int y0 = ny;
        int y1 = -1;
        for (int i = 0; i < a.labels().length; i++) {
            if (a.labels()[i] != 0) {
                int x = i % nx;
                int y = (i / nx) % ny;
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
            }
        }
        x0 = Math.max(0, x0 - MARGIN);
        x1 = Math.min(nx - 1, x1 + MARGIN);
        y0 = Math.max(0, y0 - MARGIN);
        y1 = Math.min(ny - 1, y1 + MARGIN);
        int w = x1 - x0 + 1;
        int h = y1 - y0 + 1;
        byte[] src = a.images().get(0);
        for (int k = 0; k < count; k++) {
            int z0 = count == 1 ? zr[0] + (span - depth) / 2 : zr[0] + (int) ((long) k * (span - depth) / (count - 1));
            byte[] img = new byte[depth * h * w];
            byte[] gt = new byte[depth * h * w];
            for (int d = 0; d < depth; d++) {
                for (int r = 0; r < h; r++) {
                    int y = y1 - r;
                    for (int c = 0; c < w; c++) {
                        int i = (x0 + c) + nx * (y + ny * (z0 + d));
                        int o = (d * h + r) * w + c;
                        img[o] = src[i];
                        gt[o] = a.labels()[i];
                    }
                }
            }
            dropSmall(gt, MIN_VOXELS_3D);
            if (BoxPrompts.tightBox(gt, depth * h, w) == null) {
                continue;
            }
            String name = String.format("3DBox_MR_%s_z%03d-%03d", a.imageTags().get(0), z0, z0 + depth - 1);
            double[] sp = a.spacing();
            // spacing in array-axis order (z, y, x), as the challenge stores it
            out.add(new Case(name, "MR", true, false, new int[] {depth, h, w}, img, gt, null, new double[] {sp[2], sp[1], sp[0]}));
        }
        return out;
    }

    private static void dropSmall(byte[] gt, int min) {
        int[] count = new int[256];
        for (byte b : gt) {
            count[b & 0xFF]++;
        }
        for (int i = 0; i < gt.length; i++) {
            if (gt[i] != 0 && count[gt[i] & 0xFF] < min) {
                gt[i] = 0;
            }
        }
    }
}

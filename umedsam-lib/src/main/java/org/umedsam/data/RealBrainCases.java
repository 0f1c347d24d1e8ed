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
 * pre-processing). 2D slices are taken along all three axes ({@link Axis}: axial, coronal,
 * sagittal; 2D images are {@code [rows, cols, 3]}); 3D crops {@code [depth, h, w]} are axial stacks
 * cropped in-plane to the labelled region plus 8 voxels. Per 2D slice, a structure with fewer than
 * 20 pixels is dropped (set to 0); per 3D crop, fewer than 100 voxels.
 *
 * <p><b>Split by slabs.</b> Along each axis the labelled range is cut into contiguous slabs
 * ({@link #slabs}: train 0-40 %, validation 40-50 %, test 50-70 %, train 70-100 %) with a
 * {@value #GAP_MM} mm gap at every boundary between splits, so no slice has its neighbour in another
 * split. All cases come from one human and one macaque, and slabs are per axis: a test axial slice
 * crosses training coronal and sagittal slices of the same volume. Test scores therefore measure
 * generalisation to unseen slice positions and orientations of these two subjects, not to new
 * subjects.
 */
public final class RealBrainCases {
    public static final Path TEMPLATES = Path.of("/usr/share/mricron/templates");
    static final List<String> FILES = List.of("ch2.nii.gz", "ch2bet.nii.gz", "aal.nii.gz", "aal.nii.txt",
            "inia19-t1-brain.nii.gz", "inia19-NeuroMaps.nii.gz");
    private static final int MIN_AREA_2D = 20;
    private static final int MIN_VOXELS_3D = 100;
    private static final int MARGIN = 8;
    /** Gap left out between two splits along a slicing axis, mm: no neighbouring slices on both sides. */
    static final double GAP_MM = 4.0;

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

    /**
     * The cases of both atlases with their splits: per atlas, 2D slices along each of the three axes
     * ({@code profile.slices2d()} per axis), then 3D crops along {@code z}. Each axis' labelled range
     * is cut into contiguous slabs ({@link #slabs}) with a gap of {@value #GAP_MM} mm between splits.
     */
    public static List<SplitCase> build(Path templates, Profile profile) throws IOException {
        if (!available(templates)) {
            throw new IOException(templates + ": mricron-data templates missing (need " + FILES
                    + "); install them with: apt-get install -y mricron-data");
        }
        List<SplitCase> out = new ArrayList<>();
        for (Atlas a : List.of(colin27(templates), inia19(templates))) {
            for (Axis axis : Axis.values()) {
                out.addAll(slices(a, axis, profile.slices2d()));
            }
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

    /** A case with the split it belongs to (real data is split by slabs, see {@link #build}). */
    public record SplitCase(Case c, String split) {
    }

    /** The three slicing axes: the array axis held fixed, and how the slice is laid out (radiological view). */
    enum Axis {
        /** {@code z} fixed: rows are {@code y} reversed (anterior at the top), columns {@code x}. */
        AXIAL("ax"),
        /** {@code y} fixed: rows are {@code z} reversed (superior at the top), columns {@code x}. */
        CORONAL("cor"),
        /** {@code x} fixed: rows are {@code z} reversed (superior at the top), columns {@code y} reversed (anterior left). */
        SAGITTAL("sag");

        final String tag;

        Axis(String tag) {
            this.tag = tag;
        }

        int length(Atlas a) {
            return switch (this) {
                case AXIAL -> a.nz();
                case CORONAL -> a.ny();
                case SAGITTAL -> a.nx();
            };
        }

        int rows(Atlas a) {
            return this == AXIAL ? a.ny() : a.nz();
        }

        int cols(Atlas a) {
            return this == SAGITTAL ? a.ny() : a.nx();
        }

        /** Voxel index of pixel {@code (r, c)} of slice {@code k}. */
        int voxel(Atlas a, int k, int r, int c) {
            int nx = a.nx();
            int ny = a.ny();
            return switch (this) {
                case AXIAL -> c + nx * ((ny - 1 - r) + ny * k);
                case CORONAL -> c + nx * (k + ny * (a.nz() - 1 - r));
                case SAGITTAL -> k + nx * ((ny - 1 - c) + ny * (a.nz() - 1 - r));
            };
        }

        /** Voxel spacing along this axis, mm. */
        double spacing(Atlas a) {
            return a.spacing()[switch (this) {
                case AXIAL -> 2;
                case CORONAL -> 1;
                case SAGITTAL -> 0;
            }];
        }
    }

    /**
     * First and last position along {@code axis} whose labelled area is at least 5% of the largest
     * slice's, so slices and crops are not spent on the atlas's ragged edges.
     */
    static int[] labelledRange(Atlas a, Axis axis) {
        int n = axis.length(a);
        int[] count = new int[n];
        int nx = a.nx();
        int ny = a.ny();
        byte[] lab = a.labels();
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] != 0) {
                int k = switch (axis) {
                    case AXIAL -> i / (nx * ny);
                    case CORONAL -> (i / nx) % ny;
                    case SAGITTAL -> i % nx;
                };
                count[k]++;
            }
        }
        int max = Arrays.stream(count).max().orElse(0);
        int lo = -1;
        int hi = -1;
        for (int k = 0; k < n; k++) {
            if (max > 0 && count[k] >= 0.05 * max) {
                if (lo < 0) {
                    lo = k;
                }
                hi = k;
            }
        }
        return new int[] {lo, hi};
    }

    /**
     * The slabs of the split along one axis of a labelled range {@code [lo, hi]}: fractions
     * {@code [0, 0.4)} train, {@code [0.4, 0.5)} validation, {@code [0.5, 0.7)} test,
     * {@code [0.7, 1]} train, with {@link #GAP_MM} left out at each boundary between two splits, so
     * no two neighbouring slices fall on both sides of a split. Returns
     * {@code [split][slab] -> {first, last}} for splits train, validation, test.
     */
    static int[][][] slabs(int lo, int hi, double spacingMm) {
        int span = hi - lo + 1;
        int gap = (int) Math.ceil(GAP_MM / spacingMm);
        int[] cut = {lo, lo + (int) Math.round(0.4 * span), lo + (int) Math.round(0.5 * span),
                lo + (int) Math.round(0.7 * span), hi + 1};
        // slab i covers [cut[i], cut[i+1]); the gap is taken from the start of every slab but the first
        int[][] raw = new int[4][];
        for (int i = 0; i < 4; i++) {
            int first = i == 0 ? cut[0] : cut[i] + gap;
            raw[i] = new int[] {first, cut[i + 1] - 1};
        }
        return new int[][][] {{raw[0], raw[3]}, {raw[1]}, {raw[2]}};
    }

    /** The positions of {@code count} slices spread evenly over the slabs (each slab gets its share of its length). */
    static List<Integer> positions(int[][] slabs, int count) {
        int total = 0;
        for (int[] s : slabs) {
            total += Math.max(0, s[1] - s[0] + 1);
        }
        List<Integer> out = new ArrayList<>();
        for (int[] s : slabs) {
            int len = s[1] - s[0] + 1;
            if (len <= 0 || total == 0) {
                continue;
            }
            int n = Math.max(1, (int) Math.round((double) count * len / total));
            n = Math.min(n, len);
            for (int k = 0; k < n; k++) {
                out.add(s[0] + (int) ((k + 0.5) * len / n));
            }
        }
        return out;
    }

    static List<SplitCase> slices(Atlas a, Axis axis, int count) {
        List<SplitCase> out = new ArrayList<>();
        int[] range = labelledRange(a, axis);
        if (range[0] < 0 || count == 0) {
            return out;
        }
        int[][][] slabs = slabs(range[0], range[1], axis.spacing(a));
        int rows = axis.rows(a);
        int cols = axis.cols(a);
        for (int sp = 0; sp < 3; sp++) {
            int share = sp == 0 ? (int) Math.round(count * 0.7) : sp == 1 ? (int) Math.round(count * 0.1)
                    : count - (int) Math.round(count * 0.7) - (int) Math.round(count * 0.1);
            List<Integer> ks = positions(slabs[sp], share);
            for (int j = 0; j < ks.size(); j++) {
                int k = ks.get(j);
                int which = j % a.images().size();
                byte[] src = a.images().get(which);
                byte[] img = new byte[rows * cols * 3];
                byte[] gt = new byte[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        int i = axis.voxel(a, k, r, c);
                        int o = r * cols + c;
                        img[3 * o] = src[i];
                        img[3 * o + 1] = src[i];
                        img[3 * o + 2] = src[i];
                        gt[o] = a.labels()[i];
                    }
                }
                dropSmall(gt, MIN_AREA_2D);
                if (BoxPrompts.tightBox(gt, rows, cols) == null) {
                    continue;
                }
                String name = String.format("2DBox_MR_%s_%s%03d", a.imageTags().get(which), axis.tag, k);
                out.add(new SplitCase(new Case(name, "MR", false, false, new int[] {rows, cols, 3}, img, gt, null, null),
                        DatasetManifest.SPLITS.get(sp)));
            }
        }
        return out;
    }

    /**
     * 3D crops along {@code z}, inside the axial slabs of the split: the training slabs get
     * {@code count - 2} crops (at least one), validation and test one each, centred in their slab;
     * a crop is as deep as {@code depth} or its slab, whichever is less.
     */
    static List<SplitCase> crops(Atlas a, int count, int depth) {
        List<SplitCase> out = new ArrayList<>();
        int[] zr = labelledRange(a, Axis.AXIAL);
        if (count == 0 || zr[0] < 0) {
            return out;
        }
        int[][][] slabs = slabs(zr[0], zr[1], Axis.AXIAL.spacing(a));
        int nx = a.nx();
        int ny = a.ny();
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
        for (int sp = 0; sp < 3; sp++) {
            int n = sp == 0 ? Math.max(1, count - 2) : 1;
            List<int[]> placed = new ArrayList<>(); // {z0, depth}
            int[][] s = slabs[sp];
            for (int q = 0; q < n; q++) {
                // crops of the training split alternate between its two slabs, spread within each
                int[] slab = s[q % s.length];
                int len = slab[1] - slab[0] + 1;
                int dep = Math.min(depth, len);
                if (dep < 2) {
                    continue;
                }
                int perSlab = (n + s.length - 1 - (q % s.length)) / s.length;
                int idx = q / s.length;
                int z0 = perSlab <= 1 ? slab[0] + (len - dep) / 2
                        : slab[0] + (int) ((long) idx * (len - dep) / (perSlab - 1));
                placed.add(new int[] {z0, dep});
            }
            for (int[] pz : placed) {
                int z0 = pz[0];
                int dep = pz[1];
                byte[] img = new byte[dep * h * w];
                byte[] gt = new byte[dep * h * w];
                for (int d = 0; d < dep; d++) {
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
                if (BoxPrompts.tightBox(gt, dep * h, w) == null) {
                    continue;
                }
                String name = String.format("3DBox_MR_%s_z%03d-%03d", a.imageTags().get(0), z0, z0 + dep - 1);
                double[] sp3 = a.spacing();
                // spacing in array-axis order (z, y, x), as the challenge stores it
                out.add(new SplitCase(new Case(name, "MR", true, false, new int[] {dep, h, w}, img, gt, null,
                        new double[] {sp3[2], sp3[1], sp3[0]}), DatasetManifest.SPLITS.get(sp)));
            }
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

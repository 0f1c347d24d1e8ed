package org.umedsam.metrics;

import java.util.Arrays;
import org.umedsam.geometry.DistanceTransform;
import org.umedsam.io.LabelArray;

/**
 * Distances from every surface element of one mask to the other mask's surface, with the element
 * areas, following DeepMind's surface-distance {@code compute_surface_distances} (3D), which the
 * CVPR 2024 "MedSAM on Laptop" challenge uses for NSD:
 * <ol>
 *   <li>crop both masks to the bounding box of their union and pad one empty voxel after the last
 *       index on every axis (upstream's "full" 2x2x2 correlation);</li>
 *   <li>give every crop position the 8-bit code of its 2x2x2 neighbourhood, the voxels at offsets
 *       -1 and 0 on each axis, outside the crop counting as empty ({@code scipy.ndimage.correlate}
 *       with an even kernel and {@code mode="constant"});</li>
 *   <li>border positions are those whose code is neither 0 nor 255; their area comes from
 *       {@link SurfelAreaTable#areas(double[])};</li>
 *   <li>distance of each border position to the nearest border position of the other mask, from an
 *       exact Euclidean distance transform in physical units ({@link DistanceTransform});
 *       {@code +Infinity} when the other mask has no border;</li>
 *   <li>both lists sorted by (distance, area), as upstream does.</li>
 * </ol>
 * Both lists are empty when both masks are empty. 2D masks are scored as {@code [H, W, 1]} volumes
 * with spacing (1, 1, 1), as the challenge's script does ({@link CaseScore}).
 *
 * @param distancesGtToPred distances in mm from each ground-truth surfel to the predicted surface, ascending
 * @param surfelAreasGt     areas in mm^2 of those ground-truth surfels, same order
 * @param distancesPredToGt distances in mm from each predicted surfel to the ground-truth surface, ascending
 * @param surfelAreasPred   areas in mm^2 of those predicted surfels, same order
 */
public record SurfaceDistances(double[] distancesGtToPred, double[] surfelAreasGt,
                               double[] distancesPredToGt, double[] surfelAreasPred) {

    public SurfaceDistances {
        if (distancesGtToPred.length != surfelAreasGt.length || distancesPredToGt.length != surfelAreasPred.length) {
            throw new IllegalArgumentException("distances and surfel areas differ in length");
        }
    }

    /**
     * Surface distances of two binary volumes.
     *
     * @param gt        ground truth, C order {@code [D, H, W]}
     * @param pred      prediction, same shape
     * @param shape     {@code [D, H, W]}
     * @param spacingMm voxel size along each array axis
     */
    public static SurfaceDistances compute(boolean[] gt, boolean[] pred, int[] shape, double[] spacingMm) {
        checkShape(shape, spacingMm, gt.length, pred.length);
        byte[] g = new byte[gt.length];
        byte[] p = new byte[pred.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = (byte) (gt[i] ? 1 : 0);
            p[i] = (byte) (pred[i] ? 1 : 0);
        }
        return compute(g, p, 1, shape, spacingMm);
    }

    /**
     * Surface distances of {@code gts == label} and {@code segs == label}.
     *
     * @param gts       ground-truth labels, C order {@code [D, H, W]}
     * @param segs      predicted labels, same shape
     * @param label     the class scored (1..65535)
     * @param shape     {@code [D, H, W]}
     * @param spacingMm voxel size along each array axis
     */
    public static SurfaceDistances compute(byte[] gts, byte[] segs, int label, int[] shape, double[] spacingMm) {
        return compute(LabelArray.ofUint8(gts), LabelArray.ofUint8(segs), label, shape, spacingMm);
    }

    /** As {@link #compute(byte[], byte[], int, int[], double[])} for labels of any width. */
    public static SurfaceDistances compute(LabelArray gts, LabelArray segs, int label, int[] shape, double[] spacingMm) {
        checkShape(shape, spacingMm, gts.length(), segs.length());
        LabelBounds gtBounds = LabelBounds.of(gts, shape, label);
        LabelBounds segBounds = LabelBounds.of(segs, shape, label);
        return compute(gts, segs, label, shape, spacingMm, gtBounds.box(label).union(segBounds.box(label)));
    }

    /**
     * As {@link #compute(LabelArray, LabelArray, int, int[], double[])} with the union bounding box
     * already known (so that several classes can share one pass over the volumes).
     *
     * @param union bounding box of {@code gts == label | segs == label}; {@link LabelBounds.Box#isEmpty()} when both are empty
     */
    public static SurfaceDistances compute(LabelArray gts, LabelArray segs, int label, int[] shape, double[] spacingMm,
                                           LabelBounds.Box union) {
        checkShape(shape, spacingMm, gts.length(), segs.length());
        if (label < 1 || label > LabelArray.MAX_LABEL) {
            throw new IllegalArgumentException("label " + label + " outside 1.." + LabelArray.MAX_LABEL);
        }
        if (union.isEmpty()) {
            return new SurfaceDistances(new double[0], new double[0], new double[0], new double[0]);
        }
        int[] e = new int[3];
        for (int a = 0; a < 3; a++) {
            e[a] = union.max()[a] - union.min()[a] + 2;
        }
        byte[] codesGt = neighbourCodes(gts, label, shape, union.min(), e);
        byte[] codesPred = neighbourCodes(segs, label, shape, union.min(), e);
        boolean[] borderGt = borders(codesGt);
        boolean[] borderPred = borders(codesPred);
        double[] sqToGt = DistanceTransform.squaredDistanceToSites(borderGt, e, spacingMm);
        double[] sqToPred = DistanceTransform.squaredDistanceToSites(borderPred, e, spacingMm);
        double[] area = SurfelAreaTable.areas(spacingMm);
        double[][] gtSide = collect(borderGt, codesGt, sqToPred, area);
        double[][] predSide = collect(borderPred, codesPred, sqToGt, area);
        return new SurfaceDistances(gtSide[0], gtSide[1], predSide[0], predSide[1]);
    }

    /** Total surface area (mm^2) of the ground truth. */
    public double gtSurfaceArea() {
        return sum(surfelAreasGt);
    }

    /** Total surface area (mm^2) of the prediction. */
    public double predSurfaceArea() {
        return sum(surfelAreasPred);
    }

    static double sum(double[] v) {
        return NumpySum.sum(v);
    }

    private static void checkShape(int[] shape, double[] spacingMm, int gtLength, int predLength) {
        if (shape.length != 3 || spacingMm.length != 3) {
            throw new IllegalArgumentException("surface distances need a 3D shape and 3 spacings, got shape "
                    + Arrays.toString(shape) + " and spacing " + Arrays.toString(spacingMm));
        }
        long n = (long) shape[0] * shape[1] * shape[2];
        if (n != gtLength || n != predLength) {
            throw new IllegalArgumentException("masks of " + gtLength + " and " + predLength
                    + " voxels do not match shape " + Arrays.toString(shape));
        }
        for (double s : spacingMm) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("spacing must be positive and finite: " + Arrays.toString(spacingMm));
            }
        }
    }

    /**
     * Neighbour code of every position of the padded crop {@code e} (crop origin {@code min} in the
     * volume; crop index {@code c} holds volume voxel {@code min + c} for {@code c <= e - 2}).
     */
    private static byte[] neighbourCodes(LabelArray labels, int label, int[] shape, int[] min, int[] e) {
        int e0 = e[0];
        int e1 = e[1];
        int e2 = e[2];
        // occupancy of the crop, with one extra empty layer before index 0 on every axis, so that
        // code(i,j,k) reads occ[i..i+1][j..j+1][k..k+1] without bounds checks
        int o1 = e1 + 1;
        int o2 = e2 + 1;
        byte[] occ = new byte[(e0 + 1) * o1 * o2];
        int h = shape[1];
        int w = shape[2];
        for (int i = 0; i < e0 - 1; i++) {
            for (int j = 0; j < e1 - 1; j++) {
                int src = ((min[0] + i) * h + (min[1] + j)) * w + min[2];
                int dst = ((i + 1) * o1 + (j + 1)) * o2 + 1;
                for (int k = 0; k < e2 - 1; k++) {
                    if (labels.get(src + k) == label) {
                        occ[dst + k] = 1;
                    }
                }
            }
        }
        byte[] codes = new byte[e0 * e1 * e2];
        for (int i = 0; i < e0; i++) {
            for (int j = 0; j < e1; j++) {
                int a00 = (i * o1 + j) * o2;
                int a01 = (i * o1 + j + 1) * o2;
                int a10 = ((i + 1) * o1 + j) * o2;
                int a11 = ((i + 1) * o1 + j + 1) * o2;
                int out = (i * e1 + j) * e2;
                for (int k = 0; k < e2; k++) {
                    int code = occ[a00 + k] << 7 | occ[a00 + k + 1] << 6
                            | occ[a01 + k] << 5 | occ[a01 + k + 1] << 4
                            | occ[a10 + k] << 3 | occ[a10 + k + 1] << 2
                            | occ[a11 + k] << 1 | occ[a11 + k + 1];
                    codes[out + k] = (byte) code;
                }
            }
        }
        return codes;
    }

    private static boolean[] borders(byte[] codes) {
        boolean[] b = new boolean[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int c = codes[i] & 0xFF;
            b[i] = c != 0 && c != SurfelAreaTable.FULL;
        }
        return b;
    }

    /** Distances (sqrt of the squared map) and areas of the border positions, sorted. */
    private static double[][] collect(boolean[] border, byte[] codes, double[] squaredToOther, double[] area) {
        int n = 0;
        for (boolean b : border) {
            if (b) {
                n++;
            }
        }
        double[] d = new double[n];
        double[] a = new double[n];
        int m = 0;
        for (int i = 0; i < border.length; i++) {
            if (border[i]) {
                d[m] = Math.sqrt(squaredToOther[i]);
                a[m] = area[codes[i] & 0xFF];
                m++;
            }
        }
        PairSort.sort(d, a);
        return new double[][] {d, a};
    }
}

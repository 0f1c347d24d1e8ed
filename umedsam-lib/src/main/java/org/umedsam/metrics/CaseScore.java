package org.umedsam.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.umedsam.io.LabelArray;
import org.umedsam.io.Npz;
import org.umedsam.io.NpyArray;

/**
 * The scores of one case, following the CVPR 2024 "MedSAM on Laptop" evaluation script
 * ({@code compute_metrics.py}, with DeepMind's surface-distance code):
 * <ul>
 *   <li>classes {@code 1..max(gts)}; per class the Dice of {@code gts == i} and {@code segs == i}
 *       ({@link Dice}, NaN when the class is in neither);</li>
 *   <li>the case's DSC is the plain mean over classes (NaN propagates, as {@code np.mean} does);</li>
 *   <li>the case's NSD is the plain mean over classes of {@link SurfaceDice} at the tolerance, computed
 *       only when that mean DSC is above {@link ScoreConfig#minMeanDscForNsd()}; otherwise 0;</li>
 *   <li>3D cases (name starting with {@code 3D}) use their stored {@code spacing} as is, one value per
 *       array axis; 2D cases get a trailing unit axis ({@code [H, W, 1]}) and spacing (1, 1, 1).</li>
 * </ul>
 * HD95 and the symmetric average surface distance are extras from the same surface distances,
 * NaN when not computed. Labels may be uint8 or uint16 (the challenge's cases with more than 255
 * objects), or any dtype holding whole numbers 0..65535; others are refused, never truncated.
 *
 * @param caseName  the case file name and what it says (dimension, modality, synthetic)
 * @param classDsc  Dice of classes 1..k at index class-1
 * @param classNsd  NSD of classes 1..k (NaN where not computed)
 * @param classHd95 HD95 in mm of classes 1..k (NaN where not computed)
 * @param classAsd  symmetric average surface distance in mm of classes 1..k (NaN where not computed)
 * @param dsc       mean DSC over classes
 * @param nsd       mean NSD over classes, 0 when the mean DSC is not above the threshold
 * @param hd95      mean HD95 over classes (NaN when extras are off)
 * @param asd       mean average surface distance over classes (NaN when extras are off)
 */
public record CaseScore(CaseName caseName, double[] classDsc, double[] classNsd, double[] classHd95,
                        double[] classAsd, double dsc, double nsd, double hd95, double asd) {

    /** Readable in a notebook: the per-class values, not the arrays' identities. */
    @Override
    public String toString() {
        return "CaseScore[" + name() + ", dsc=" + dsc + ", nsd=" + nsd + ", classDsc=" + java.util.Arrays.toString(classDsc)
                + ", classNsd=" + java.util.Arrays.toString(classNsd) + ", hd95=" + hd95 + ", asd=" + asd + "]";
    }

    /** The case file name. */
    public String name() {
        return caseName.name();
    }

    /** Number of classes scored, {@code max(gts)}. */
    public int classes() {
        return classDsc.length;
    }

    /**
     * Scores a case held in arrays.
     *
     * @param name      case file name (decides 2D/3D, as the challenge's script does)
     * @param gts       ground-truth labels, C order, {@code [H, W]} or {@code [D, H, W]}
     * @param segs      predicted labels, same shape
     * @param shape     {@code [H, W]} for 2D names, {@code [D, H, W]} for 3D names
     * @param spacingMm for 3D, the stored spacing (one per axis); ignored for 2D (may be null)
     * @param config    tolerance, NSD threshold, extras
     */
    public static CaseScore evaluate(String name, byte[] gts, byte[] segs, int[] shape, double[] spacingMm,
                                     ScoreConfig config) {
        return evaluate(name, LabelArray.ofUint8(gts), LabelArray.ofUint8(segs), shape, spacingMm, config);
    }

    /** As {@link #evaluate(String, byte[], byte[], int[], double[], ScoreConfig)} for labels of any width. */
    public static CaseScore evaluate(String name, LabelArray gts, LabelArray segs, int[] shape, double[] spacingMm,
                                     ScoreConfig config) {
        CaseName cn = CaseName.parse(name);
        int[] shape3;
        double[] spacing3;
        if (cn.threeD()) {
            if (shape.length != 3) {
                throw new IllegalArgumentException(name + ": a 3D case needs [D, H, W] labels, got shape "
                        + Arrays.toString(shape));
            }
            if (spacingMm == null || spacingMm.length != 3) {
                throw new IllegalArgumentException(name + ": a 3D case needs 3 spacing values, got "
                        + Arrays.toString(spacingMm));
            }
            shape3 = shape.clone();
            spacing3 = spacingMm.clone();
        } else {
            if (shape.length != 2) {
                throw new IllegalArgumentException(name + ": a 2D case needs [H, W] labels, got shape "
                        + Arrays.toString(shape));
            }
            shape3 = new int[] {shape[0], shape[1], 1};
            spacing3 = new double[] {1.0, 1.0, 1.0};
        }
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (gts.length() != n || segs.length() != n) {
            throw new IllegalArgumentException(name + ": gts (" + gts.length() + ") and segs (" + segs.length()
                    + ") do not both hold shape " + Arrays.toString(shape));
        }
        int k = gts.max();
        double[] dsc = Dice.perLabel(gts, segs, k);
        double meanDsc = mean(dsc);
        double[] nsd = nanArray(k);
        double[] hd = nanArray(k);
        double[] asd = nanArray(k);
        boolean nsdCounts = meanDsc > config.minMeanDscForNsd();
        if (k > 0 && (nsdCounts || config.surfaceExtras())) {
            LabelBounds gb = LabelBounds.of(gts, shape3, k);
            LabelBounds sb = LabelBounds.of(segs, shape3, k);
            for (int c = 1; c <= k; c++) {
                SurfaceDistances sd = SurfaceDistances.compute(gts, segs, c, shape3, spacing3,
                        gb.box(c).union(sb.box(c)));
                nsd[c - 1] = SurfaceDice.atTolerance(sd, config.toleranceMm());
                if (config.surfaceExtras()) {
                    hd[c - 1] = RobustHausdorff.hd95(sd);
                    asd[c - 1] = AverageSurfaceDistance.symmetric(sd);
                }
            }
        }
        double caseNsd = nsdCounts ? mean(nsd) : 0.0;
        return new CaseScore(cn, dsc, nsd, hd, asd, meanDsc, caseNsd,
                config.surfaceExtras() ? mean(hd) : Double.NaN,
                config.surfaceExtras() ? mean(asd) : Double.NaN);
    }

    /**
     * Scores a case stored in the challenge's layout: {@code gts} (and, for 3D, {@code spacing}) in
     * {@code gtFile}, {@code segs} in {@code segFile}; the case name is {@code gtFile}'s file name.
     *
     * @throws IOException naming the file when a key is missing or the shapes differ
     */
    public static CaseScore evaluateFiles(Path gtFile, Path segFile, ScoreConfig config) throws IOException {
        String name = gtFile.getFileName().toString();
        NpyArray gts = Npz.read(gtFile, "gts");
        NpyArray segs = Npz.read(segFile, "segs");
        if (!Arrays.equals(gts.shape(), segs.shape())) {
            throw new IOException(segFile + ": 'segs' has shape " + Arrays.toString(segs.shape()) + " but "
                    + gtFile + " 'gts' has shape " + Arrays.toString(gts.shape()));
        }
        double[] spacing = null;
        if (CaseName.parse(name).threeD()) {
            spacing = Npz.read(gtFile, "spacing").toDoubleArray();
            if (spacing.length != 3) {
                throw new IOException(gtFile + ": 'spacing' holds " + spacing.length + " values, expected 3");
            }
        }
        LabelArray g;
        LabelArray s;
        try {
            g = LabelArray.of(gts);
        } catch (IllegalStateException e) {
            throw new IOException(gtFile + ": 'gts' " + e.getMessage(), e);
        }
        try {
            s = LabelArray.of(segs);
        } catch (IllegalStateException e) {
            throw new IOException(segFile + ": 'segs' " + e.getMessage(), e);
        }
        try {
            return evaluate(name, g, s, gts.shape(), spacing, config);
        } catch (IllegalArgumentException e) {
            throw new IOException(gtFile + ": " + e.getMessage(), e);
        }
    }

    /** Plain mean; NaN for no values or when any value is NaN (as {@code np.mean}). */
    static double mean(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        return NumpySum.sum(v) / v.length;
    }

    private static double[] nanArray(int k) {
        double[] a = new double[k];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}

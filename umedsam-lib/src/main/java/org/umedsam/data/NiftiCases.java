package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.umedsam.io.LabelArray;
import org.umedsam.io.Nifti;

/**
 * NIfTI image/label pairs to 3D challenge cases, following MedSAM's pre-processing
 * ({@code pre_CT_MR.py}, LiteMedSAM branch): label objects smaller than the thresholds removed
 * ({@link SmallObjects}), intensities to uint8 ({@link IntensityRescale}, computed on the whole
 * volume), then only the slices holding a label kept, image and labels alike.
 *
 * <p>Geometry: {@link Nifti} returns voxels in storage order, x fastest, which is the C order of
 * {@code [D, H, W] = [z, y, x]}, so {@code imgs} and {@code gts} are {@code [D, H, W]} with no
 * reordering (orientation, qform/sform, is not applied; MedSAM's SimpleITK arrays are in the same
 * order). {@code spacing} is {@code pixdim[1..3]}, that is {@code (x, y, z)}, as MedSAM writes it
 * ({@code img_sitk.GetSpacing()}), so the files carry what the challenge's own files carry.
 *
 * <p>Labels: the label map's integers (0 background, up to 65535; MedSAM casts to uint8, which would wrap larger
 * ones) renumbered {@code 1..k} in ascending order, and one tight box per object {@code (x0, y0, z0, x1, y1, z1)} in
 * that order ({@link ChallengeLabels}), as the challenge's cases hold them: {@code infer} labels box {@code i} as
 * {@code i + 1}, so its predictions are scored against these labels in {@code evaluate}. Stored uint8 while
 * {@code k} fits a byte, uint16 beyond. Every refusal is an {@link IOException} of one line naming the file(s) and
 * the problem.
 *
 * <p>Each written case also holds its {@link NiftiSource} (the image's header, the kept slices, the label values),
 * so that {@link NiftiPredictions} can write predictions on it back as label maps over the original volume.
 */
public final class NiftiCases {
    private NiftiCases() {
    }

    /** Where {@link #write} puts the case of {@code pair}: {@code dir/<prefix><stem>.npz}. */
    public static Path outputFile(NiftiPair pair, NiftiConversion config, Path dir) {
        return dir.resolve(config.prefix() + pair.stem() + ".npz");
    }

    /**
     * Converts {@code pair} and writes it (atomically) to {@link #outputFile}; an existing file is
     * refused unless {@code overwrite}.
     */
    public static Path write(NiftiPair pair, NiftiConversion config, Path dir, boolean overwrite) throws IOException {
        Path target = outputFile(pair, config, dir);
        if (!overwrite && Files.exists(target)) {
            throw new IOException(target + " already exists; pass --overwrite to replace it");
        }
        Converted c = converted(pair, config);
        Path written = CaseWriter.write(c.value(), dir, c.source().arrays());
        assert written.equals(target);
        return written;
    }

    /** Converts one pair into a 3D case {@code [D, H, W]} (D = the labelled slices). */
    public static Case convert(NiftiPair pair, NiftiConversion config) throws IOException {
        return converted(pair, config).value();
    }

    /** A converted case and where it came from, which {@link #write} stores beside it. */
    record Converted(Case value, NiftiSource source) {
    }

    static Converted converted(NiftiPair pair, NiftiConversion config) throws IOException {
        Path labelFile = pair.label();
        if (pair.image() == null) {
            throw new IOException(labelFile + ": no image for this label (looked for "
                    + String.join(", ", NiftiPair.imageNames(pair.stem())) + " in the images folder)");
        }
        Nifti.Volume lv = Nifti.read(labelFile);
        int nx = lv.nx();
        int ny = lv.ny();
        int nz = lv.nz();
        int[] labels = labels(lv, labelFile);
        int before = max(labels);
        if (before == 0) {
            throw new IOException(labelFile + ": holds no label (every voxel is 0); nothing to segment");
        }
        SmallObjects.remove(labels, nz, ny, nx, config.minObject3d(), config.minObject2d());
        int[] slices = labelledSlices(labels, nz, ny * nx);
        if (slices.length == 0) {
            throw new IOException(labelFile + ": no label left after removing objects smaller than "
                    + config.minObject3d() + " voxels (3D) and " + config.minObject2d()
                    + " pixels (per slice), as MedSAM's pre-processing does");
        }
        Nifti.Volume iv = Nifti.read(pair.image());
        if (!Arrays.equals(iv.dims(), lv.dims())) {
            throw new IOException(pair.image() + " and " + labelFile + ": different grids, image "
                    + Arrays.toString(iv.dims()) + " and label " + Arrays.toString(lv.dims()) + " voxels (x, y, z)");
        }
        for (int a = 0; a < 3; a++) {
            double s = iv.spacing()[a];
            double t = lv.spacing()[a];
            // float header values written by different tools differ in the last digits only
            if (Math.abs(s - t) > 1e-3 * Math.max(s, t)) {
                throw new IOException(pair.image() + " and " + labelFile + ": different grids, image spacing "
                        + Arrays.toString(iv.spacing()) + " and label " + Arrays.toString(lv.spacing()) + " (x, y, z)");
            }
        }
        byte[] img = image(iv, config, pair.image());
        int hw = ny * nx;
        byte[] imgs = new byte[slices.length * hw];
        int maxLabel = max(labels);
        LabelArray gts = maxLabel <= 255 ? LabelArray.ofUint8(new byte[slices.length * hw])
                : LabelArray.ofUint16(new short[slices.length * hw]);
        for (int k = 0; k < slices.length; k++) {
            int from = slices[k] * hw;
            System.arraycopy(img, from, imgs, k * hw, hw);
            for (int i = 0; i < hw; i++) {
                gts.set(k * hw + i, labels[from + i]);
            }
        }
        String name = config.prefix() + pair.stem();
        Case c = new Case(name, config.modality(), true, false, new int[] {slices.length, ny, nx}, imgs, gts, null,
                iv.spacing().clone());
        // numbered and boxed as the challenge's cases, so infer's labels (box i -> i + 1) match them in evaluate;
        // consecutive numbers the labels in ascending order of their values, c.labels()
        return new Converted(ChallengeLabels.withTightBoxes(ChallengeLabels.consecutive(c)),
                new NiftiSource(iv.header(), slices, c.labels()));
    }

    /** The label map as integers, refusing values that are not whole numbers in 0..65535. */
    private static int[] labels(Nifti.Volume v, Path file) throws IOException {
        float[] f = v.values();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            float x = f[i];
            if (!(x >= 0 && x <= LabelArray.MAX_LABEL) || x != Math.rint(x)) {
                int nxy = v.nx() * v.ny();
                throw new IOException(file + ": label " + x + " at voxel (x, y, z) = (" + i % v.nx() + ", "
                        + (i % nxy) / v.nx() + ", " + i / nxy + ") is not a whole number in 0.." + LabelArray.MAX_LABEL
                        + "; is this the image rather than the label map?");
            }
            out[i] = (int) x;
        }
        return out;
    }

    private static byte[] image(Nifti.Volume v, NiftiConversion config, Path file) throws IOException {
        float[] values = v.values();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IOException(file + ": voxel " + i + " is " + values[i] + "; intensities must be finite");
            }
        }
        try {
            return config.windowed()
                    ? IntensityRescale.window(values, config.windowLevel(), config.windowWidth())
                    : IntensityRescale.percentiles(values, config.lowPercentile(), config.highPercentile());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + config.modality() + " image: " + e.getMessage(), e);
        }
    }

    private static int[] labelledSlices(int[] labels, int d, int hw) {
        int[] out = new int[d];
        int k = 0;
        for (int z = 0; z < d; z++) {
            for (int i = z * hw; i < (z + 1) * hw; i++) {
                if (labels[i] != 0) {
                    out[k++] = z;
                    break;
                }
            }
        }
        return Arrays.copyOf(out, k);
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}

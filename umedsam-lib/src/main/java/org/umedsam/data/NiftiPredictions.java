package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.umedsam.io.LabelArray;
import org.umedsam.io.Nifti;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Predictions on cases converted from NIfTI ({@link NiftiCases}) back into the volumes they came from: a
 * {@code segs [D, H, W]} file of {@code umedsam infer} becomes a label map on the source image's grid, with its
 * header's spacing and orientation, each case slice put back at its z index, the slices {@code convert} left out
 * (those without a label) 0, and each label {@code i} as the label map's value it was converted from, so the
 * prediction opens over the image in ITK-SNAP or 3D Slicer and compares with the original label map voxel by voxel.
 */
public final class NiftiPredictions {
    private NiftiPredictions() {
    }

    /**
     * Writes {@code segsFile}'s prediction for the case {@code caseFile} as the label map {@code out}
     * ({@code .nii.gz} gzipped), atomically.
     *
     * @throws IOException in one line naming the file, when the case holds no {@link NiftiSource} or the prediction
     *     does not fit it
     */
    public static void write(Path caseFile, Path segsFile, Path out) throws IOException {
        NiftiSource source = NiftiSource.read(caseFile).orElseThrow(() -> new IOException(caseFile
                + ": not converted from NIfTI by umedsam convert (no '" + NiftiSource.HEADER_KEY + "'); nothing says"
                + " which volume its slices came from"));
        NpyArray segs = Npz.read(segsFile, "segs");
        LabelArray s;
        try {
            s = LabelArray.of(segs);
        } catch (IllegalStateException e) {
            throw new IOException(segsFile + ": 'segs' " + e.getMessage(), e);
        }
        Nifti.writeLabels(out, source.header(), volume(source, s, segs.shape(), caseFile, segsFile));
    }

    /**
     * The label map {@code [nz, ny, nx]} (x fastest) of a prediction {@code segs [D, H, W]} on a case from
     * {@code source}.
     */
    static LabelArray volume(NiftiSource source, LabelArray segs, int[] shape, Path caseFile, Path segsFile)
            throws IOException {
        int[] grid;
        try {
            grid = Nifti.grid(source.header(), caseFile + ": '" + NiftiSource.HEADER_KEY + "'");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        int nx = grid[0];
        int ny = grid[1];
        int nz = grid[2];
        int[] slices = source.slices();
        if (shape.length != 3 || shape[0] != slices.length || shape[1] != ny || shape[2] != nx) {
            throw new IOException(segsFile + ": 'segs' has shape " + Arrays.toString(shape) + "; " + caseFile
                    + " came from a volume of " + nx + " x " + ny + " x " + nz + " voxels (x, y, z) and kept "
                    + slices.length + " slices, so [" + slices.length + ", " + ny + ", " + nx + "] was expected");
        }
        if (slices.length > 0 && slices[slices.length - 1] >= nz) {
            throw new IOException(caseFile + ": slice " + slices[slices.length - 1] + " lies outside the volume's "
                    + nz + " slices");
        }
        int[] values = source.labelValues();
        int hw = nx * ny;
        long voxels = (long) hw * nz;
        // the header's grid is bounded by what it was converted from, but only the case file says so: check the heap
        if (voxels * 2 > Runtime.getRuntime().maxMemory()) {
            throw new IOException(caseFile + ": a volume of " + nx + " x " + ny + " x " + nz
                    + " voxels does not fit this JVM's heap (java -Xmx)");
        }
        int largest = 0;
        for (int v : values) {
            largest = Math.max(largest, v);
        }
        LabelArray out = largest > 255 ? LabelArray.ofUint16(new short[(int) voxels])
                : LabelArray.ofUint8(new byte[(int) voxels]);
        for (int d = 0; d < slices.length; d++) {
            int from = d * hw;
            int to = slices[d] * hw;
            for (int i = 0; i < hw; i++) {
                int l = segs.get(from + i);
                if (l > values.length) {
                    throw new IOException(segsFile + ": label " + l + " at slice " + d + "; " + caseFile + " has "
                            + values.length + " labels");
                }
                if (l != 0) {
                    out.set(to + i, values[l - 1]);
                }
            }
        }
        return out;
    }

    /** Where {@link #write} puts the prediction {@code segsFile}: {@code dir/NAME.nii.gz}. */
    public static Path outputFile(Path segsFile, Path dir) {
        String name = segsFile.getFileName().toString();
        return dir.resolve((name.endsWith(".npz") ? name.substring(0, name.length() - 4) : name) + ".nii.gz");
    }
}

package org.umedsam.data;

import java.util.Arrays;
import org.umedsam.io.LabelArray;

/**
 * One challenge case, in memory. 2D: {@code imgs [H, W, C]} (C = 3, or 1 for a grey file stored
 * {@code [H, W]}), {@code gts [H, W]}; 3D: {@code imgs [D, H, W]}, {@code gts [D, H, W]}. Arrays
 * are flat, row-major (C order); images are unsigned bytes, labels 0 (background) .. 65535 held
 * in bytes while they fit ({@link LabelArray}; the challenge stores uint8, or uint16 for cases
 * with more than 255 objects).
 *
 * @param name file name without {@code .npz}
 * @param modality canonical modality ({@link Modalities}), or {@link Modalities#UNKNOWN}
 * @param threeD whether this is a volume ({@code [D, H, W]})
 * @param synthetic whether the case was generated ({@link SyntheticModalities}), so tables can mark it
 * @param shape {@code imgs} shape as stored: {@code [H, W, C]} or {@code [D, H, W]}
 * @param imgs image bytes
 * @param gts labels, {@code [H, W]} or {@code [D, H, W]}; {@code null} when the file has none
 * @param boxes prompts as stored, {@code [N, 4]} {@code x0,y0,x1,y1} (2D) or {@code [N, 6]}
 *     {@code x0,y0,z0,x1,y1,z1} (3D); {@code null} when the file has none
 * @param spacing 3D voxel spacing, three values in stored order (as the challenge's evaluation uses
 *     them, one per array axis); {@code {1, 1, 1}} for 2D
 */
public record Case(String name, String modality, boolean threeD, boolean synthetic, int[] shape, byte[] imgs,
                   LabelArray gts, int[][] boxes, double[] spacing) {
    public Case {
        if (threeD ? shape.length != 3 : (shape.length != 3 || (shape[2] != 1 && shape[2] != 3))) {
            throw new IllegalArgumentException(name + ": imgs shape " + Arrays.toString(shape)
                    + (threeD ? " is not [D, H, W]" : " is not [H, W, 3] (or [H, W, 1])"));
        }
        long n = (long) shape[0] * shape[1] * shape[2];
        if (imgs.length != n) {
            throw new IllegalArgumentException(name + ": imgs hold " + imgs.length + " values, shape needs " + n);
        }
        long voxels = threeD ? n : (long) shape[0] * shape[1];
        if (gts != null && gts.length() != voxels) {
            throw new IllegalArgumentException(name + ": gts hold " + gts.length() + " values, imgs need " + voxels);
        }
        if (boxes != null) {
            int k = 0;
            for (int[] b : boxes) {
                k++;
                if (b.length != (threeD ? 6 : 4)) {
                    throw new IllegalArgumentException(name + ": a " + (threeD ? "3D" : "2D") + " box has "
                            + (threeD ? 6 : 4) + " values, got " + b.length);
                }
                double[] d = java.util.Arrays.stream(b).asDoubleStream().toArray();
                // shape is [D, H, W] in 3D and [H, W, C] in 2D
                BoxPrompts.check(name + ": box " + k, threeD ? BoxPrompts.xyOf3dBox(d) : d,
                        threeD ? shape[2] : shape[1], threeD ? shape[1] : shape[0]);
                if (threeD && (b[2] > b[5] || b[5] < 0 || b[2] > shape[0] - 1)) {
                    throw new IllegalArgumentException(name + ": box " + k + " " + java.util.Arrays.toString(b)
                            + " has z " + b[2] + ".." + b[5] + ", the volume spans 0.." + (shape[0] - 1));
                }
            }
        }
        if (spacing == null) {
            spacing = new double[] {1, 1, 1};
        }
        if (spacing.length != 3) {
            throw new IllegalArgumentException(name + ": spacing needs 3 values, got " + spacing.length);
        }
    }

    /** A case whose labels fit bytes ({@code gts} not copied; may be {@code null}). */
    public Case(String name, String modality, boolean threeD, boolean synthetic, int[] shape, byte[] imgs,
                byte[] gts, int[][] boxes, double[] spacing) {
        this(name, modality, threeD, synthetic, shape, imgs, gts == null ? null : LabelArray.ofUint8(gts), boxes,
                spacing);
    }

    /** Slices: D for 3D, 1 for 2D. */
    public int depth() {
        return threeD ? shape[0] : 1;
    }

    public int height() {
        return threeD ? shape[1] : shape[0];
    }

    public int width() {
        return threeD ? shape[2] : shape[1];
    }

    /** 1 for 3D (grey) slices, the stored channel count for 2D. */
    public int channels() {
        return threeD ? 1 : shape[2];
    }

    public boolean hasGts() {
        return gts != null;
    }

    public boolean hasBoxes() {
        return boxes != null;
    }

    /** Slice {@code z} ({@code 0} for 2D) as an {@code [H, W, C]} image (a copy for 3D). */
    public ImageU8 slice(int z) {
        if (!threeD) {
            checkZ(z);
            return new ImageU8(shape[0], shape[1], shape[2], imgs);
        }
        checkZ(z);
        int hw = height() * width();
        return new ImageU8(height(), width(), 1, Arrays.copyOfRange(imgs, z * hw, (z + 1) * hw));
    }

    /** Labels of slice {@code z} ({@code 0} for 2D), {@code [H, W]} (a copy). */
    public LabelArray gtSlice(int z) {
        if (gts == null) {
            throw new IllegalStateException(name + " has no gts");
        }
        checkZ(z);
        int hw = height() * width();
        return gts.copyOfRange(z * hw, (z + 1) * hw);
    }

    /** The labels present (excluding 0), ascending. */
    public int[] labels() {
        if (gts == null) {
            return new int[0];
        }
        boolean[] seen = new boolean[(gts.isWide() ? LabelArray.MAX_LABEL : 255) + 1];
        int n = gts.length();
        for (int i = 0; i < n; i++) {
            seen[gts.get(i)] = true;
        }
        int count = 0;
        int[] out = new int[seen.length];
        for (int i = 1; i < seen.length; i++) {
            if (seen[i]) {
                out[count++] = i;
            }
        }
        return Arrays.copyOf(out, count);
    }

    /** Largest label (0 when unlabelled). */
    public int maxLabel() {
        int[] l = labels();
        return l.length == 0 ? 0 : l[l.length - 1];
    }

    /** Indices of the slices holding any label, ascending ({@code {0}} for a labelled 2D case). */
    public int[] labelledSlices() {
        if (gts == null) {
            return new int[0];
        }
        int hw = height() * width();
        int[] out = new int[depth()];
        int k = 0;
        for (int z = 0; z < depth(); z++) {
            if (gts.anyIn(z * hw, (z + 1) * hw)) {
                out[k++] = z;
            }
        }
        return Arrays.copyOf(out, k);
    }

    private void checkZ(int z) {
        if (z < 0 || z >= depth()) {
            throw new IndexOutOfBoundsException(name + ": slice " + z + " outside 0.." + (depth() - 1));
        }
    }

    @Override
    public String toString() {
        return "Case[" + name + ", " + modality + (threeD ? ", 3D " : ", 2D ") + Arrays.toString(shape)
                + (synthetic ? ", synthetic" : "") + (gts != null ? ", gts" : "") + (boxes != null ? ", " + boxes.length + " boxes" : "") + "]";
    }
}

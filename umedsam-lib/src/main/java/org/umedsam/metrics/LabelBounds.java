package org.umedsam.metrics;

import java.util.Arrays;
import org.umedsam.io.LabelArray;

/**
 * Bounding boxes of the labels of a 3D label map, all found in one pass (upstream's
 * {@code _compute_bounding_box}, done for every label at once so that scoring k classes of a large
 * volume reads it once rather than k times).
 */
public final class LabelBounds {
    private final int[][] min;
    private final int[][] max;

    private LabelBounds(int[][] min, int[][] max) {
        this.min = min;
        this.max = max;
    }

    /**
     * Boxes of labels {@code 1..maxLabel}.
     *
     * @param labels   C order {@code [D, H, W]}
     * @param shape    {@code [D, H, W]}
     * @param maxLabel highest label of interest
     */
    public static LabelBounds of(LabelArray labels, int[] shape, int maxLabel) {
        if (shape.length != 3) {
            throw new IllegalArgumentException("label bounds need a 3D shape, got " + Arrays.toString(shape));
        }
        int[][] min = new int[maxLabel + 1][3];
        int[][] max = new int[maxLabel + 1][3];
        for (int l = 0; l <= maxLabel; l++) {
            Arrays.fill(min[l], Integer.MAX_VALUE);
            Arrays.fill(max[l], -1);
        }
        int h = shape[1];
        int w = shape[2];
        int idx = 0;
        for (int z = 0; z < shape[0]; z++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++, idx++) {
                    int l = labels.get(idx);
                    if (l == 0 || l > maxLabel) {
                        continue;
                    }
                    int[] mn = min[l];
                    int[] mx = max[l];
                    if (z < mn[0]) {
                        mn[0] = z;
                    }
                    if (z > mx[0]) {
                        mx[0] = z;
                    }
                    if (y < mn[1]) {
                        mn[1] = y;
                    }
                    if (y > mx[1]) {
                        mx[1] = y;
                    }
                    if (x < mn[2]) {
                        mn[2] = x;
                    }
                    if (x > mx[2]) {
                        mx[2] = x;
                    }
                }
            }
        }
        return new LabelBounds(min, max);
    }

    /** The box of {@code label} (empty when the label is absent). */
    public Box box(int label) {
        if (label < 1 || label >= min.length) {
            throw new IllegalArgumentException("label " + label + " outside 1.." + (min.length - 1));
        }
        return new Box(min[label].clone(), max[label].clone());
    }

    /**
     * An inclusive voxel box; empty when {@code max < min} on an axis.
     *
     * @param min first index per axis
     * @param max last index per axis (inclusive)
     */
    public record Box(int[] min, int[] max) {
        /** True when the box holds no voxel. */
        public boolean isEmpty() {
            for (int a = 0; a < min.length; a++) {
                if (max[a] < min[a]) {
                    return true;
                }
            }
            return false;
        }

        /** Smallest box holding both (either may be empty). */
        public Box union(Box other) {
            if (isEmpty()) {
                return other;
            }
            if (other.isEmpty()) {
                return this;
            }
            int[] mn = new int[min.length];
            int[] mx = new int[min.length];
            for (int a = 0; a < min.length; a++) {
                mn[a] = Math.min(min[a], other.min[a]);
                mx[a] = Math.max(max[a], other.max[a]);
            }
            return new Box(mn, mx);
        }
    }
}

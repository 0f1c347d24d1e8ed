package org.umedsam.data;

/**
 * Removes small objects from a label map {@code [D, H, W]} (flat, {@code x + W*(y + H*z)}), as
 * MedSAM's pre-processing does with {@code cc3d.dust}: an object is a connected set of voxels of
 * one label (different labels never join), and one with fewer voxels than the threshold becomes
 * background. First in 3D with 26-connectivity, then slice by slice with 8-connectivity: for such
 * small objects the difficulty is finding them, not outlining them, which a box prompt does not help.
 */
public final class SmallObjects {
    private SmallObjects() {
    }

    /**
     * Zeroes, in place, the 26-connected objects of fewer than {@code min3d} voxels, then on each
     * slice the 8-connected objects of fewer than {@code min2d} pixels.
     *
     * @param labels label map {@code [d, h, w]}, modified
     * @return the number of objects removed
     */
    public static int remove(int[] labels, int d, int h, int w, int min3d, int min2d) {
        if ((long) d * h * w != labels.length) {
            throw new IllegalArgumentException("labels hold " + labels.length + " values, [" + d + ", " + h + ", "
                    + w + "] needs " + (long) d * h * w);
        }
        int[] queue = new int[labels.length];
        boolean[] seen = new boolean[labels.length];
        int removed = dust(labels, 0, d, h, w, true, min3d, queue, seen);
        java.util.Arrays.fill(seen, false);
        for (int z = 0; z < d; z++) {
            removed += dust(labels, z * h * w, 1, h, w, false, min2d, queue, seen);
        }
        return removed;
    }

    /** Dust of the block of {@code d} slices starting at {@code offset}; 26- or 8-connected. */
    private static int dust(int[] labels, int offset, int d, int h, int w, boolean threeD, int min, int[] queue,
                            boolean[] seen) {
        if (min <= 1) {
            return 0; // every object has at least one voxel
        }
        int removed = 0;
        int end = offset + d * h * w;
        for (int start = offset; start < end; start++) {
            int label = labels[start];
            if (label == 0 || seen[start]) {
                continue;
            }
            int tail = ConnectedComponents.fill(start, offset, d, h, w, threeD, q -> labels[q] == label, seen, queue);
            if (tail < min) {
                for (int i = 0; i < tail; i++) {
                    labels[queue[i]] = 0;
                }
                removed++;
            }
        }
        return removed;
    }
}

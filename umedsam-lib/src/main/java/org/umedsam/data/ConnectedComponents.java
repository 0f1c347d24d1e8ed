package org.umedsam.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Connected components by breadth-first flood fill: of a binary {@code [H, W]} mask (8-connected, {@link #of}), and
 * the fill itself for label maps {@code [D, H, W]} (8-connected per slice or 26-connected in 3D, {@link #fill}),
 * which {@link SmallObjects} uses.
 */
public final class ConnectedComponents {
    private ConnectedComponents() {
    }

    /**
     * The components of the non-zero pixels, each as the list of its flat pixel indices, in
     * raster order of their first pixel.
     */
    public static List<int[]> of(byte[] mask, int h, int w) {
        boolean[] seen = new boolean[mask.length];
        int[] queue = new int[mask.length];
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < mask.length; start++) {
            if (mask[start] != 0 && !seen[start]) {
                int n = fill(start, 0, 1, h, w, false, q -> mask[q] != 0, seen, queue);
                out.add(java.util.Arrays.copyOf(queue, n));
            }
        }
        return out;
    }

    /**
     * The component of {@code start} within the block of {@code d} slices {@code [h, w]} from flat index
     * {@code offset}: the voxels reachable from it through voxels that are {@code member}s and not yet {@code seen}
     * (26-connected when {@code threeD}, else 8-connected within each slice). Marks them seen and writes their flat
     * indices to {@code queue[0 .. n)}, breadth first from {@code start}.
     *
     * @return {@code n}, the component's size
     */
    static int fill(int start, int offset, int d, int h, int w, boolean threeD, IntPredicate member, boolean[] seen,
                    int[] queue) {
        int hw = h * w;
        int head = 0;
        int tail = 0;
        queue[tail++] = start;
        seen[start] = true;
        while (head < tail) {
            int p = queue[head++] - offset;
            int z = p / hw;
            int y = (p % hw) / w;
            int x = p % w;
            for (int dz = threeD ? -1 : 0; dz <= (threeD ? 1 : 0); dz++) {
                int zz = z + dz;
                if (zz < 0 || zz >= d) {
                    continue;
                }
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= w) {
                            continue;
                        }
                        int q = offset + zz * hw + yy * w + xx;
                        if (!seen[q] && member.test(q)) {
                            seen[q] = true;
                            queue[tail++] = q;
                        }
                    }
                }
            }
        }
        return tail;
    }
}

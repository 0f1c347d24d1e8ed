package org.umedsam.data;

import java.util.ArrayList;
import java.util.List;

/** 8-connected components of a binary {@code [H, W]} mask (breadth-first flood fill). */
public final class ConnectedComponents {
    private ConnectedComponents() {
    }

    /**
     * The components of the non-zero pixels, each as the list of its flat pixel indices, in
     * raster order of their first pixel.
     */
    public static List<int[]> of(byte[] mask, int h, int w) {
        int[] comp = new int[mask.length];
        List<int[]> out = new ArrayList<>();
        int[] queue = new int[mask.length];
        for (int start = 0; start < mask.length; start++) {
            if (mask[start] == 0 || comp[start] != 0) {
                continue;
            }
            int id = out.size() + 1;
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            comp[start] = id;
            while (head < tail) {
                int p = queue[head++];
                int y = p / w;
                int x = p % w;
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
                        int q = yy * w + xx;
                        if (mask[q] != 0 && comp[q] == 0) {
                            comp[q] = id;
                            queue[tail++] = q;
                        }
                    }
                }
            }
            out.add(java.util.Arrays.copyOf(queue, tail));
        }
        return out;
    }
}

package org.umedsam.data;

import org.umedsam.io.LabelArray;

/**
 * Labels and boxes as the challenge's cases hold them: objects numbered {@code 1..k} with no gaps, and, in test
 * inputs, one tight box per object in label order. Inference labels box {@code i} as {@code i + 1}
 * ({@code infer.ImageInference}, {@code infer.VolumePropagation}), so predictions are scored against the ground truth
 * only when both follow this numbering. Used for the default data's cases and for converted NIfTI cases
 * ({@link NiftiCases}).
 */
public final class ChallengeLabels {
    private ChallengeLabels() {
    }

    /** The case with its labels renumbered {@code 1..k} in ascending order of the original labels. */
    public static Case consecutive(Case c) {
        int[] labels = c.labels();
        if (labels.length == 0 || labels[labels.length - 1] == labels.length) {
            return c; // already 1..k
        }
        int[] map = new int[labels[labels.length - 1] + 1];
        for (int k = 0; k < labels.length; k++) {
            map[labels[k]] = k + 1;
        }
        LabelArray g = c.gts();
        LabelArray out = LabelArray.zeros(g.length());
        for (int i = 0; i < g.length(); i++) {
            out.set(i, map[g.get(i)]);
        }
        return new Case(c.name(), c.modality(), c.threeD(), c.synthetic(), c.shape(), c.imgs(), out, c.boxes(),
                c.threeD() ? c.spacing() : null);
    }

    /** The case with one tight box per label (challenge test-input style). */
    public static Case withTightBoxes(Case c) {
        int[] labels = c.labels();
        int[][] boxes = new int[labels.length][];
        int d = c.depth();
        int h = c.height();
        int w = c.width();
        for (int k = 0; k < labels.length; k++) {
            int l = labels[k];
            int x0 = w;
            int y0 = h;
            int z0 = d;
            int x1 = -1;
            int y1 = -1;
            int z1 = -1;
            LabelArray g = c.gts();
            for (int i = 0; i < g.length(); i++) {
                if (g.get(i) == l) {
                    int x = i % w;
                    int y = (i / w) % h;
                    int z = i / (w * h);
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                    z0 = Math.min(z0, z);
                    z1 = Math.max(z1, z);
                }
            }
            boxes[k] = c.threeD() ? new int[] {x0, y0, z0, x1, y1, z1} : new int[] {x0, y0, x1, y1};
        }
        return new Case(c.name(), c.modality(), c.threeD(), c.synthetic(), c.shape(), c.imgs(), c.gts(), boxes,
                c.threeD() ? c.spacing() : null);
    }
}

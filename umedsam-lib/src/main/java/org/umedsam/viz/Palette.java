package org.umedsam.viz;

import java.awt.Color;

/**
 * Colours shared by every figure: the Okabe-Ito colour-blind-safe palette (Okabe and Ito 2008),
 * reordered so that the first colours stay readable on white (yellow late), plus grey, and a sequential map
 * for contour levels.
 *
 * <p>Each ablation configuration has one fixed colour in every figure ({@link #configuration}):
 * baseline black, only-sd orange, no-sam bluish green, full blue; other names get the remaining
 * Okabe-Ito colours in a stable order.
 */
public final class Palette {
    /** Fixed colours of the four ablation configurations, in {@link org.umedsam.report.Ordering#CONFIGURATIONS} order. */
    private static final Color[] CONFIGURATIONS = {
        new Color(0x000000), // baseline: black
        new Color(0xE69F00), // only-sd: orange
        new Color(0x009E73), // no-sam: bluish green
        new Color(0x0072B2), // full: blue
    };
    /** The base model's scores beside the configurations': a neutral light grey, a reference, not a contender. */
    private static final Color BASE_MODEL = new Color(0xBBBBBB);
    /** Colours left for configurations outside the four (vermillion, reddish purple, sky blue, grey). */
    private static final Color[] OTHER_CONFIGURATIONS = {
        new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x777777),
    };

    private static final Color[] CATEGORICAL = {
        new Color(0x0072B2), // blue
        new Color(0xD55E00), // vermillion
        new Color(0x009E73), // bluish green
        new Color(0xCC79A7), // reddish purple
        new Color(0xE69F00), // orange
        new Color(0x56B4E9), // sky blue
        new Color(0x000000), // black
        new Color(0xB8A800), // darkened yellow, still distinct from orange
        new Color(0x777777), // grey: a ninth colour, so nine modalities stay distinct
    };

    private Palette() {
    }

    /** The i-th categorical colour, cycling after nine. */
    public static Color categorical(int i) {
        return CATEGORICAL[Math.floorMod(i, CATEGORICAL.length)];
    }

    /**
     * The fixed colour of an ablation configuration ({@code baseline}, {@code only-sd},
     * {@code no-sam}, {@code full}); any other name gets one of the remaining Okabe-Ito colours
     * chosen from its name, so it is the same in every figure.
     */
    public static Color configuration(String name) {
        if (name.equals(org.umedsam.report.Ordering.BASE_MODEL)) {
            return BASE_MODEL;
        }
        int i = org.umedsam.report.Ordering.CONFIGURATIONS.indexOf(
                name.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (i >= 0) {
            return CONFIGURATIONS[i];
        }
        return OTHER_CONFIGURATIONS[Math.floorMod(name.hashCode(), OTHER_CONFIGURATIONS.length)];
    }

    /**
     * The i-th colour for something other than a configuration inside a one-configuration figure
     * (a loss term, a validation curve): Okabe-Ito colours no configuration uses (vermillion,
     * reddish purple, sky blue, darkened yellow, grey), cycling after five.
     */
    public static Color term(int i) {
        Color[] c = {new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xB8A800),
            new Color(0x777777)};
        return c[Math.floorMod(i, c.length)];
    }

    /** All categorical colours in order (a copy). */
    public static Color[] categorical() {
        return CATEGORICAL.clone();
    }

    /**
     * A perceptually ordered dark-blue to yellow colour for {@code t} in [0, 1] (a coarse
     * piecewise-linear approximation of viridis through five of its anchor colours).
     */
    public static Color sequential(double t) {
        double[][] anchors = {
            {0x44, 0x01, 0x54}, {0x3b, 0x52, 0x8b}, {0x21, 0x91, 0x8c}, {0x5e, 0xc9, 0x62}, {0xfd, 0xe7, 0x25}
        };
        double x = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (anchors.length - 1);
        int i = Math.min(anchors.length - 2, (int) Math.floor(x));
        double f = x - i;
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = (int) Math.round(anchors[i][c] * (1 - f) + anchors[i + 1][c] * f);
        }
        return new Color(rgb[0], rgb[1], rgb[2]);
    }

    /** {@code c} with the given alpha in [0, 255]. */
    public static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }
}

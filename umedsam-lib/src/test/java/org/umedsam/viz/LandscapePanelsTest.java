package org.umedsam.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.umedsam.report.LandscapeSurface;

/** 2D landscape panels share absolute levels and one colour scale. */
class LandscapePanelsTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    static LandscapeSurface surface(String label, DoubleBinaryOperator f) {
        double[] g = {-1, -0.5, 0, 0.5, 1};
        double[][] z = new double[g.length][g.length];
        for (int j = 0; j < g.length; j++) {
            for (int i = 0; i < g.length; i++) {
                z[j][i] = f.applyAsDouble(g[i], g[j]);
            }
        }
        return new LandscapeSurface(label, g, g, z);
    }

    @Test
    void levelsComeFromAllPanelsPooledAndAreRoundedAndAscending() {
        LandscapeSurface flat = surface("flat", (a, b) -> 0.3 + 0.5 * (a * a + b * b));
        LandscapeSurface sharp = surface("sharp", (a, b) -> 0.3 + 4 * (a * a + b * b));
        double[] shared = LandscapePanels.levels(new LandscapeSurface[][] {{flat, sharp}}, 8);
        double[] own = LandscapePanels.levels(new LandscapeSurface[][] {{flat}}, 8);
        // per-panel levels would squeeze 8 lines into the flat panel's range; shared ones reach the sharp one's
        assertThat(own[own.length - 1]).isLessThanOrEqualTo(1.3);
        assertThat(shared[shared.length - 1]).isGreaterThan(1.3);
        assertThat(shared).isSorted().doesNotHaveDuplicates();
        for (double v : shared) {
            assertThat(LandscapePanels.levelLabel(v).replace("-", "").replace(".", "").replaceFirst("^0+", ""))
                    .hasSizeLessThanOrEqualTo(3);
        }
        assertThat(LandscapePanels.levels(new LandscapeSurface[][] {{surface("const", (a, b) -> 1)}}, 5)).isEmpty();
    }

    @Test
    void theSameLossHasTheSameColourInEveryPanel() throws IOException {
        LandscapeSurface flat = surface("flat", (a, b) -> 0.3 + 0.5 * (a * a + b * b));
        LandscapeSurface sharp = surface("sharp", (a, b) -> 0.3 + 4 * (a * a + b * b));
        LandscapeSurface[][] cells = {{flat, sharp}};
        double[] levels = LandscapePanels.levels(cells, 8);
        BufferedImage img = LandscapePanels.render("test", List.of("flat", "sharp"), List.of(""), cells, levels, "loss");
        new FigureWriter(72, false).write(img, Path.of("target", "figure-test"), "landscape-panels");
        int bands = levels.length + 1;
        int[] flatCorner = corner(img, 0);
        int[] sharpCorner = corner(img, 1);
        // the sharp panel's corner (loss 8.3) is above every level, the flat one's (1.3) is not
        assertThat(img.getRGB(sharpCorner[0], sharpCorner[1])).isEqualTo(LandscapePanels.band(bands - 1, bands).getRGB());
        int flatBand = LandscapePanels.bandOf(1.3, levels);
        assertThat(flatBand).isLessThan(bands - 1);
        assertThat(img.getRGB(flatCorner[0], flatCorner[1])).isEqualTo(LandscapePanels.band(flatBand, bands).getRGB());
        assertThatThrownBy(() -> LandscapePanels.render("t", List.of("a"), List.of(""), new LandscapeSurface[][] {{flat}},
                new double[] {2, 1}, "loss")).hasMessageContaining("ascending");
    }

    /** The top-left plot pixel of panel {@code c} (a corner of the grid, alpha = -1, beta = 1), one px inside. */
    private static int[] corner(BufferedImage img, int c) {
        // the layout of LandscapePanels without row labels: x0 = 8, y0 = 44; panel width LEFT + PLOT + GAP
        int x = 8 + c * (70 + LandscapePanels.PLOT + 18) + 70 + 2;
        int y = 44 + 28 + 2;
        return new int[] {x, y};
    }

    @Test
    void ticksAreRoundAndCoverTheRange() {
        assertThat(LandscapePanels.ticks(-1, 1)).containsExactly(-1, -0.5, 0, 0.5, 1);
        assertThat(LandscapePanels.ticks(-0.75, 0.75)).containsExactly(-0.5, 0, 0.5);
        assertThat(LandscapePanels.ticks(-0.3, 0.3)).containsExactly(-0.2, 0, 0.2);
        assertThat(LandscapePanels.levelLabel(0.30000000000000004)).isEqualTo("0.3");
    }
}

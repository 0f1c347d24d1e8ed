package org.umedsam.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DistanceTransformTest {

    /** Brute force: min over all sites of the weighted squared distance. */
    private static double[] bruteForce(boolean[] sites, int[] shape, double[] spacing) {
        int n = sites.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double best = Double.POSITIVE_INFINITY;
            int[] a = unravel(i, shape);
            for (int j = 0; j < n; j++) {
                if (!sites[j]) {
                    continue;
                }
                int[] b = unravel(j, shape);
                double s = 0;
                for (int k = 0; k < shape.length; k++) {
                    double dd = (a[k] - b[k]) * spacing[k];
                    s += dd * dd;
                }
                best = Math.min(best, s);
            }
            out[i] = best;
        }
        return out;
    }

    private static int[] unravel(int i, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = i % shape[k];
            i /= shape[k];
        }
        return idx;
    }

    @Test
    void matchesBruteForceOnRandom3dGridsWithAnisotropicSpacing() {
        Random r = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int[] shape = {1 + r.nextInt(5), 1 + r.nextInt(9), 1 + r.nextInt(9)};
            double[] spacing = {0.5 + r.nextDouble() * 3, 0.3 + r.nextDouble(), 1.0};
            int n = shape[0] * shape[1] * shape[2];
            boolean[] sites = new boolean[n];
            for (int i = 0; i < n; i++) {
                sites[i] = r.nextDouble() < 0.15;
            }
            sites[r.nextInt(n)] = true;
            double[] got = DistanceTransform.squaredDistanceToSites(sites, shape, spacing);
            double[] want = bruteForce(sites, shape, spacing);
            for (int i = 0; i < n; i++) {
                assertThat(got[i]).isCloseTo(want[i], within(1e-9));
            }
        }
    }

    @Test
    void distanceToBackgroundOfASquare() {
        // 5x5 foreground square inside a 7x7 grid: the centre is 3 steps from the background
        boolean[] m = new boolean[49];
        for (int y = 1; y < 6; y++) {
            for (int x = 1; x < 6; x++) {
                m[y * 7 + x] = true;
            }
        }
        double[] d = DistanceTransform.distanceToBackground2d(m, 7, 7);
        assertThat(d[3 * 7 + 3]).isEqualTo(3.0);
        assertThat(d[1 * 7 + 1]).isEqualTo(1.0);
        assertThat(d[0]).isEqualTo(0.0);
    }

    @Test
    void noSitesGivesInfinity() {
        double[] d = DistanceTransform.squaredDistanceToSites(new boolean[6], new int[] {2, 3}, new double[] {1, 1});
        for (double v : d) {
            assertThat(v).isInfinite();
        }
    }
}
